#include "apps/http/server_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "apps/http/response_parser.h"
#include "http_test_util.h"
#include "temp_tree.h"

namespace skiff::http {
namespace {

using ::skiff::http::testing::Bytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kWall = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
const Instant kT0 = Instant::FromNanos(1'000'000'000);

// Drains the session's output in pieces of `piece` bytes.
std::string Drain(HttpServerSession& s, Instant now, size_t piece = 65536) {
  std::string out;
  std::vector<std::byte> buf(piece);
  while (size_t n = s.ProduceOutput(buf, now, kWall)) {
    EXPECT_LE(n, piece);
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  return out;
}

std::vector<std::string> ParseAll(std::string_view wire, bool head = false) {
  ResponseParser p;
  return testing::RunResponses(p, wire, {}, /*eof=*/false, head);
}

class ServerSessionTest : public ::testing::Test {
 protected:
  HttpServerConfig config_;
};

TEST_F(ServerSessionTest, GetRoot_NoDocRoot_ServesDemoPage) {
  HttpServerSession s(config_, nullptr, kT0);
  std::string_view req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(s.OnBytes(Bytes(req), kT0), req.size());
  EXPECT_TRUE(s.HasOutput());
  std::string out = Drain(s, kT0);
  EXPECT_THAT(
      out, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"
                                 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                                 "Server: skiff\r\n"
                                 "Content-Type: text/html; charset=utf-8\r\n"));
  EXPECT_THAT(out, HasSubstr(absl::StrFormat("Content-Length: %d\r\n",
                                             DemoPage().size())));
  EXPECT_THAT(ParseAll(out),
              ElementsAre(HasSubstr("HEAD 200"),
                          "BODY " + std::string(DemoPage()), "DONE ka=1"));
  EXPECT_FALSE(s.WantsClose());
  EXPECT_FALSE(s.HasOutput());
}

TEST_F(ServerSessionTest, Head_HeadersOnlyWithGetLength) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"), kT0);
  std::string out = Drain(s, kT0);
  EXPECT_THAT(out, HasSubstr(absl::StrFormat("Content-Length: %d\r\n",
                                             DemoPage().size())));
  EXPECT_THAT(out, ::testing::EndsWith("\r\n\r\n"));
  EXPECT_THAT(ParseAll(out, /*head=*/true),
              ElementsAre(HasSubstr("HEAD 200"), "DONE ka=1"));
}

TEST_F(ServerSessionTest, Pipelined_AnsweredInOrder) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(
      Bytes("GET /missing HTTP/1.1\r\nHost: h\r\n\r\n"
            "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"
            "GET /index.html HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
      kT0);
  std::string out = Drain(s, kT0, 7);  // tiny writes: responses span calls
  ResponseParser p;
  std::vector<std::string> got;
  std::string_view wire = out;
  for (bool head : {false, true, false}) {
    p.Reset(head);
    while (true) {
      auto r = p.Feed(wire);
      wire.remove_prefix(r.consumed);
      if (r.status == ResponseParser::Status::kDone) break;
      ASSERT_NE(r.status, ResponseParser::Status::kError) << p.error();
      ASSERT_FALSE(r.status == ResponseParser::Status::kNeedMore);
    }
    got.push_back(absl::StrFormat("%d ka=%d", p.head().status, p.keep_alive()));
  }
  EXPECT_THAT(got, ElementsAre("404 ka=1", "200 ka=1", "200 ka=0"));
  EXPECT_TRUE(wire.empty());
  EXPECT_TRUE(s.WantsClose());
  EXPECT_EQ(s.stats().requests, 3u);
}

TEST_F(ServerSessionTest, Http10_ClosesUnlessKeepAlive) {
  HttpServerSession a(config_, nullptr, kT0);
  a.OnBytes(Bytes("GET / HTTP/1.0\r\n\r\n"), kT0);
  EXPECT_THAT(Drain(a, kT0), HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_TRUE(a.WantsClose());
  HttpServerSession b(config_, nullptr, kT0);
  b.OnBytes(Bytes("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), kT0);
  EXPECT_THAT(Drain(b, kT0), HasSubstr("\r\nConnection: keep-alive\r\n"));
  EXPECT_FALSE(b.WantsClose());
}

TEST_F(ServerSessionTest, BadRequest_400ThenClose_LaterInputDropped) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"), kT0);
  std::string_view more = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(s.OnBytes(Bytes(more), kT0), more.size());
  std::string out = Drain(s, kT0);
  EXPECT_THAT(out, ::testing::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(out, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(ParseAll(out),
              ElementsAre(HasSubstr("HEAD 400"),
                          HasSubstr("<h1>400 Bad Request"), "DONE ka=0"));
  EXPECT_TRUE(s.WantsClose());
}

TEST_F(ServerSessionTest, ErrorStatuses_FromParser) {
  struct {
    std::string req;
    int status;
  } cases[] = {
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(20000, 'a') +
           "\r\n\r\n",
       431},
      {"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n", 413},
      {"GET /%2e%2e/x HTTP/1.1\r\nHost: h\r\n\r\n", 403},
      {"GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    HttpServerSession s(config_, nullptr, kT0);
    size_t fed = 0;
    while (fed < c.req.size() && !s.HasOutput())
      fed += s.OnBytes(Bytes(std::string_view(c.req).substr(fed)), kT0);
    std::string out = Drain(s, kT0);
    EXPECT_THAT(
        out, ::testing::StartsWith(absl::StrFormat("HTTP/1.1 %d ", c.status)))
        << c.req.substr(0, 60);
  }
}

TEST_F(ServerSessionTest, MethodNotAllowed_AllowHeaderAndConnectionKept) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
                  "GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
            kT0);
  std::string out = Drain(s, kT0);
  EXPECT_THAT(out,
              ::testing::StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(out, HasSubstr("\r\nAllow: GET, HEAD\r\n"));
  EXPECT_THAT(
      ParseAll(out),
      ElementsAre(HasSubstr("HEAD 405"), HasSubstr("BODY"), "DONE ka=1",
                  HasSubstr("HEAD 200"), HasSubstr("BODY"), "DONE ka=1"));
  EXPECT_FALSE(s.WantsClose());
}

TEST_F(ServerSessionTest, SplitAtEveryByte_SameOutput) {
  std::string_view req =
      "GET / HTTP/1.1\r\nHost: h\r\n\r\nHEAD /x HTTP/1.1\r\nHost: h\r\n\r\n";
  HttpServerSession whole(config_, nullptr, kT0);
  whole.OnBytes(Bytes(req), kT0);
  std::string expected = Drain(whole, kT0);
  HttpServerSession s(config_, nullptr, kT0);
  std::string out;
  for (size_t i = 0; i < req.size(); ++i) {
    EXPECT_EQ(s.OnBytes(Bytes(req.substr(i, 1)), kT0), 1u);
    out += Drain(s, kT0);
  }
  EXPECT_EQ(out, expected);
}

TEST_F(ServerSessionTest, PartialHeaders_RequestTimeout_408ThenClose) {
  HttpServerSession s(config_, nullptr, kT0);
  EXPECT_EQ(s.NextDeadline(), kT0 + config_.idle_timeout);
  Instant t1 = kT0 + Duration::Seconds(1);
  s.OnBytes(Bytes("GET / HTTP/1.1\r\nHo"), t1);
  EXPECT_EQ(s.NextDeadline(), t1 + config_.request_timeout);
  s.OnBytes(Bytes("st: h\r\n"),
            t1 + Duration::Seconds(5));  // more bytes do not re-arm
  EXPECT_EQ(s.NextDeadline(), t1 + config_.request_timeout);
  s.OnTimer(t1 + config_.request_timeout - Duration::Nanos(1));
  EXPECT_FALSE(s.HasOutput());
  s.OnTimer(t1 + config_.request_timeout);
  std::string out = Drain(s, t1 + config_.request_timeout);
  EXPECT_THAT(out, ::testing::StartsWith("HTTP/1.1 408 Request Timeout\r\n"));
  EXPECT_THAT(out, HasSubstr("Connection: close"));
  EXPECT_TRUE(s.WantsClose());
}

TEST_F(ServerSessionTest, IdleKeepAlive_ClosesQuietly) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), kT0);
  Instant t1 = kT0 + Duration::Seconds(2);
  Drain(s, t1);
  EXPECT_EQ(s.NextDeadline(), t1 + config_.idle_timeout);
  s.OnTimer(t1 + config_.idle_timeout);
  EXPECT_FALSE(s.HasOutput());
  EXPECT_TRUE(s.WantsClose());
  EXPECT_EQ(s.NextDeadline(), Instant::Max());
}

TEST_F(ServerSessionTest, PeerStopsReading_SendTimeoutAborts) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), kT0);
  std::vector<std::byte> buf(10);
  s.ProduceOutput(buf, kT0 + Duration::Seconds(1), kWall);
  EXPECT_EQ(s.NextDeadline(),
            kT0 + Duration::Seconds(1) + config_.send_timeout);
  s.OnTimer(kT0 + Duration::Seconds(1) + config_.send_timeout);
  EXPECT_TRUE(s.WantsClose());
  EXPECT_FALSE(s.HasOutput());
}

TEST_F(ServerSessionTest, PeerClosedAfterRequest_AnswersThenCloses) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), kT0);
  s.OnPeerClosed(kT0);
  EXPECT_FALSE(s.WantsClose());
  EXPECT_THAT(Drain(s, kT0), ::testing::StartsWith("HTTP/1.1 200 OK"));
  EXPECT_TRUE(s.WantsClose());
}

TEST_F(ServerSessionTest, PeerClosedMidRequest_ClosesWithoutAnswer) {
  HttpServerSession s(config_, nullptr, kT0);
  s.OnBytes(Bytes("GET / HTTP/1.1\r\nHo"), kT0);
  s.OnPeerClosed(kT0);
  EXPECT_TRUE(s.WantsClose());
  EXPECT_EQ(Drain(s, kT0), "");
}

TEST_F(ServerSessionTest, InputBuffer_BoundedWhileResponding) {
  config_.max_input_buffer = 1024;
  HttpServerSession s(config_, nullptr, kT0);
  std::string many;
  while (many.size() < 100000) many += "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  const size_t one = 27;  // the first request, parsed and being answered
  size_t taken = 0;
  while (size_t n = s.OnBytes(Bytes(std::string_view(many).substr(taken)), kT0))
    taken += n;
  // Nothing more is taken until output moves.
  EXPECT_LE(taken, 1024u + one);
  Drain(s, kT0);
  EXPECT_GT(s.OnBytes(Bytes(std::string_view(many).substr(taken)), kT0), 0u);
}

class ServerSessionFilesTest : public ServerSessionTest {
 protected:
  void SetUp() override {
    for (int i = 0; i < (3 << 20) / 16; ++i)
      big_ += absl::StrFormat("%015d\n", i);
    tree_.Write("root/big.bin", big_);
    tree_.Write("root/style.css", "p{}");
    tree_.Write("root/docs/index.html", "<p>docs</p>");
    tree_.Write("outside/secret.txt", "secret");
    tree_.Symlink("../outside/secret.txt", "root/escape.txt");
    auto root = DocRoot::Open(tree_.root());
    ASSERT_TRUE(root.ok());
    root_.emplace(std::move(*root));
  }

  std::string Get(std::string_view target, size_t piece = 65536) {
    HttpServerSession s(config_, &*root_, kT0);
    s.OnBytes(
        Bytes(absl::StrFormat("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", target)),
        kT0);
    return Drain(s, kT0, piece);
  }

  testing::TempTree tree_;
  std::optional<DocRoot> root_;
  std::string big_;
};

TEST_F(ServerSessionFilesTest, LargeFile_StreamedInSocketSizedPieces) {
  std::string out = Get("/big.bin", 4096);
  EXPECT_THAT(out, HasSubstr("Content-Type: application/octet-stream\r\n"));
  EXPECT_THAT(ParseAll(out),
              ElementsAre(HasSubstr("HEAD 200"), "BODY " + big_, "DONE ka=1"));
}

TEST_F(ServerSessionFilesTest, MimeAndDirectoryIndex) {
  EXPECT_THAT(Get("/style.css"),
              HasSubstr("Content-Type: text/css; charset=utf-8\r\n"));
  EXPECT_THAT(ParseAll(Get("/docs/")),
              ElementsAre(HasSubstr("[Content-Type:text/html"),
                          "BODY <p>docs</p>", "DONE ka=1"));
}

TEST_F(ServerSessionFilesTest, TraversalAttempts_Refused) {
  for (const char* t :
       {"/../outside/secret.txt", "/%2e%2e/outside/secret.txt",
        "/docs/..%2f..%2foutside/secret.txt", "/escape.txt", "/style.css%00"}) {
    std::string out = Get(t);
    EXPECT_THAT(out, ::testing::StartsWith("HTTP/1.1 403 Forbidden")) << t;
    EXPECT_THAT(out, ::testing::Not(HasSubstr("secret"))) << t;
  }
  EXPECT_THAT(Get("/nope"), ::testing::StartsWith("HTTP/1.1 404 Not Found"));
}

TEST_F(ServerSessionFilesTest, FileShrinksMidResponse_Aborts) {
  HttpServerSession s(config_, &*root_, kT0);
  s.OnBytes(Bytes("GET /big.bin HTTP/1.1\r\nHost: h\r\n\r\n"), kT0);
  std::vector<std::byte> buf(4096);
  EXPECT_GT(s.ProduceOutput(buf, kT0, kWall), 0u);
  ASSERT_EQ(::truncate((tree_.root() + "/big.bin").c_str(), 10000), 0);
  while (s.ProduceOutput(buf, kT0, kWall) > 0) {
  }
  EXPECT_TRUE(s.WantsClose());
}

}  // namespace
}  // namespace skiff::http
