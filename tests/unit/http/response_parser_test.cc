#include "apps/http/response_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "http_test_util.h"

namespace skiff::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Parse(std::string_view in, bool eof = true,
                               bool head = false, ResponseParserConfig c = {}) {
  ResponseParser p(c);
  return testing::RunResponses(p, in, {}, eof, head);
}

// Every split point, and byte by byte, must give the one-shot result.
void ExpectSplitInvariant(std::string_view in, bool eof) {
  auto whole = Parse(in, eof);
  for (size_t cut = 1; cut < in.size(); ++cut) {
    ResponseParser p;
    ASSERT_EQ(testing::RunResponses(p, in, {cut}, eof), whole) << "cut " << cut;
  }
  std::vector<size_t> cuts;
  for (size_t i = 1; i < in.size(); ++i) cuts.push_back(i);
  ResponseParser p;
  EXPECT_EQ(testing::RunResponses(p, in, cuts, eof), whole);
}

constexpr std::string_view kLength =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: "
    "text/plain\r\n\r\nhello";
constexpr std::string_view kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n2;x=1\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n";
constexpr std::string_view kClose =
    "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil close";

TEST(ResponseParser, ContentLength_BodyAndKeepAlive) {
  EXPECT_THAT(
      Parse(kLength),
      ElementsAre("HEAD 200 OK [Content-Length:5] [Content-Type:text/plain]",
                  "BODY hello", "DONE ka=1"));
  ExpectSplitInvariant(kLength, true);
}

TEST(ResponseParser, Chunked_WithTrailers) {
  EXPECT_THAT(Parse(kChunked), ElementsAre(HasSubstr("HEAD 200"), "BODY abcde",
                                           "DONE ka=1 [X-Sum:9]"));
  ExpectSplitInvariant(kChunked, true);
}

TEST(ResponseParser, CloseDelimited_EndsAtEof) {
  EXPECT_THAT(Parse(kClose), ElementsAre(HasSubstr("HEAD 200"),
                                         "BODY until close", "DONE ka=0"));
  ExpectSplitInvariant(kClose, true);
}

TEST(ResponseParser, KeepAliveSequence_TwoResponses) {
  std::string two = std::string(kLength) + std::string(kChunked);
  EXPECT_THAT(Parse(two), ElementsAre(HasSubstr("HEAD 200"), "BODY hello",
                                      "DONE ka=1", HasSubstr("HEAD 200"),
                                      "BODY abcde", "DONE ka=1 [X-Sum:9]"));
  ExpectSplitInvariant(two, true);
}

TEST(ResponseParser, InterimResponses_Skipped) {
  EXPECT_THAT(Parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early "
                    "Hints\r\nLink: x\r\n\r\n" +
                    std::string(kLength)),
              ElementsAre(HasSubstr("HEAD 200 OK [Content-Length:5]"),
                          "BODY hello", "DONE ka=1"));
}

TEST(ResponseParser, NoBodyCases) {
  EXPECT_THAT(Parse("HTTP/1.1 204 No Content\r\n\r\n"),
              ElementsAre(HasSubstr("HEAD 204"), "DONE ka=1"));
  EXPECT_THAT(Parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"),
              ElementsAre(HasSubstr("HEAD 304"), "DONE ka=1"));
  EXPECT_THAT(Parse(std::string(kLength).substr(0, kLength.size() - 5), true,
                    /*head=*/true),
              ElementsAre(HasSubstr("HEAD 200"), "DONE ka=1"));
}

TEST(ResponseParser, StatusLine_Variants) {
  EXPECT_THAT(Parse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"),
              ElementsAre("HEAD 404  [Content-Length:0]", "DONE ka=1"));
  EXPECT_THAT(
      Parse("HTTP/1.1 200 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
      ElementsAre(HasSubstr("HEAD 200  ["), "DONE ka=0"));
}

TEST(ResponseParser, TeAndCl_TeWinsNoReuse) {
  EXPECT_THAT(Parse("HTTP/1.1 200 OK\r\nContent-Length: "
                    "100\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "1\r\nx\r\n0\r\n\r\n"),
              ElementsAre(HasSubstr("HEAD 200"), "BODY x", "DONE ka=0"));
}

TEST(ResponseParser, BadResponses_Error) {
  for (std::string_view bad :
       {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 600 X\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 OK\nX: y\n\n",
        "HTTP/1.1 200 OK\r\nX : y\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",  // truncated at
                                                               // EOF
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        "HTTP/1.1 200 OK\r\nContent-"}) {
    auto out = Parse(bad);
    ASSERT_FALSE(out.empty()) << bad;
    EXPECT_THAT(out.back(), HasSubstr("ERR")) << bad;
  }
}

TEST(ResponseParser, HeaderLimits_Error) {
  ResponseParserConfig c;
  c.max_header_bytes = 64;
  EXPECT_THAT(
      Parse("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a') + "\r\n\r\n", true,
            false, c),
      ElementsAre("ERR header section too large"));
  c = {};
  c.max_header_count = 2;
  EXPECT_THAT(
      Parse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", true, false, c),
      ElementsAre("ERR too many header fields"));
  c = {};
  c.max_status_line = 10;
  EXPECT_THAT(Parse("HTTP/1.1 200 OK\r\n\r\n", true, false, c),
              ElementsAre("ERR bad status line"));
}

}  // namespace
}  // namespace skiff::http
