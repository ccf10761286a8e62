#include "bench/harness/http.h"

#include <gtest/gtest.h>

#include <string>

#include "bench/harness/runner.h"

namespace skiff::bench {
namespace {

using State = HttpResponseReader::State;

TEST(Http, ResponseCarriesA64BytePageAndClose) {
  std::string_view r = kHttpResponse;
  size_t end = r.find("\r\n\r\n");
  ASSERT_NE(end, std::string_view::npos);
  EXPECT_EQ(r.size() - end - 4, kPageSize);
  EXPECT_NE(r.find("Content-Length: 64\r\n"), std::string_view::npos);
  EXPECT_NE(r.find("Connection: close\r\n"), std::string_view::npos);
}

TEST(Http, RequestCompleteAtBlankLine) {
  EXPECT_FALSE(HttpRequestComplete("GET / HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(HttpRequestComplete(kHttpRequest));
}

TEST(HttpResponseReader, CompleteOnlyWithWholeBody) {
  std::string r(kHttpResponse);
  HttpResponseReader reader;
  EXPECT_EQ(reader.Update(r.substr(0, 10)), State::kIncomplete);
  EXPECT_EQ(reader.Update(r.substr(0, r.size() - 1)), State::kIncomplete);
  EXPECT_EQ(reader.Update(r), State::kComplete);
}

TEST(HttpResponseReader, EofBeforeBodyIsMalformed) {
  std::string r(kHttpResponse);
  HttpResponseReader reader;
  EXPECT_EQ(reader.OnEof(r.substr(0, r.size() - 5)), State::kMalformed);
}

TEST(HttpResponseReader, NoContentLengthEndsAtEof) {
  std::string r = "HTTP/1.1 200 OK\r\nServer: y\r\n\r\nbody";
  HttpResponseReader reader;
  EXPECT_EQ(reader.Update(r), State::kIncomplete);
  EXPECT_EQ(reader.OnEof(r), State::kComplete);
}

TEST(HttpResponseReader, ContentLengthIsCaseInsensitive) {
  std::string r = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
  HttpResponseReader reader;
  EXPECT_EQ(reader.Update(r), State::kComplete);
}

TEST(HttpResponseReader, GarbageIsMalformed) {
  HttpResponseReader reader;
  EXPECT_EQ(reader.Update("SSH-2.0\r\n\r\n"), State::kMalformed);
}

TEST(Endpoint, ParsesAndPrints) {
  auto e = Endpoint::Parse("10.0.0.2:8080");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->ip, 0x0a000002u);
  EXPECT_EQ(e->port, 8080);
  EXPECT_EQ(e->ToString(), "10.0.0.2:8080");
  EXPECT_FALSE(Endpoint::Parse("10.0.0.2").has_value());
  EXPECT_FALSE(Endpoint::Parse("10.0.0:80").has_value());
  EXPECT_FALSE(Endpoint::Parse("10.0.0.256:80").has_value());
  EXPECT_FALSE(Endpoint::Parse("10.0.0.2:0").has_value());
  EXPECT_FALSE(Endpoint::Parse("10.0.0.2.1:80").has_value());
}

}  // namespace
}  // namespace skiff::bench
