// HttpServerSession and ResponseParser talking over a Linux socketpair, both
// ends driven from one thread with non-blocking sockets and small buffers so
// every write is partial.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "apps/http/response_parser.h"
#include "apps/http/server_session.h"
#include "http_test_util.h"
#include "temp_tree.h"

namespace skiff::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The server side of the pump: what an app does around the session.
class ServerEnd {
 public:
  ServerEnd(int fd, HttpServerSession* s) : fd_(fd), s_(s) {}

  // One turn of the loop; returns false once the connection is closed.
  bool Turn(Instant now) {
    if (closed_) return false;
    char buf[1500];
    if (pending_in_.empty() && !eof_) {
      ssize_t n = ::read(fd_, buf, sizeof(buf));
      if (n > 0) pending_in_.assign(buf, static_cast<size_t>(n));
      if (n == 0) {
        eof_ = true;
        s_->OnPeerClosed(now);
      }
    }
    if (!pending_in_.empty()) {
      size_t took = s_->OnBytes(testing::Bytes(pending_in_), now);
      pending_in_.erase(0, took);
    }
    if (staged_.empty()) {
      std::vector<std::byte> out(3000);
      size_t n = s_->ProduceOutput(out, now, 0);
      staged_.assign(reinterpret_cast<const char*>(out.data()), n);
    }
    if (!staged_.empty()) {
      ssize_t n = ::write(fd_, staged_.data(), staged_.size());
      if (n > 0) staged_.erase(0, static_cast<size_t>(n));
    }
    if (staged_.empty() && s_->WantsClose()) {
      ::shutdown(fd_, SHUT_WR);
      closed_ = true;
    }
    return true;
  }

 private:
  int fd_;
  HttpServerSession* s_;
  std::string pending_in_, staged_;
  bool eof_ = false, closed_ = false;
};

TEST(EndToEnd, PipelinedRequestsOverSocketpair_AllResponsesParsed) {
  testing::TempTree tree;
  std::string big;
  for (int i = 0; big.size() < (1 << 20); ++i)
    big += absl::StrFormat("line %d\n", i);
  tree.Write("root/big.txt", big);
  tree.Write("root/index.html", "<p>hi</p>");
  auto root = DocRoot::Open(tree.root());
  ASSERT_TRUE(root.ok());

  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  int small = 4096;
  for (int fd : sv) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  }
  HttpServerSession session(HttpServerConfig{}, &*root, Instant::FromNanos(0));
  ServerEnd server(sv[0], &session);

  std::string requests =
      "GET /big.txt HTTP/1.1\r\nHost: h\r\n\r\n"
      "HEAD /big.txt HTTP/1.1\r\nHost: h\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: h\r\n\r\n"
      "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  std::string received;
  bool client_eof = false;
  for (int turn = 0; turn < 200000 && !client_eof; ++turn) {
    if (!requests.empty()) {
      ssize_t n = ::write(sv[1], requests.data(),
                          std::min<size_t>(requests.size(), 50));
      if (n > 0) requests.erase(0, static_cast<size_t>(n));
    }
    server.Turn(Instant::FromNanos(turn));
    char buf[2000];
    ssize_t n = ::read(sv[1], buf, sizeof(buf));
    if (n > 0) received.append(buf, static_cast<size_t>(n));
    if (n == 0) client_eof = true;
    ASSERT_TRUE(n >= 0 || errno == EAGAIN);
  }
  ::close(sv[0]);
  ::close(sv[1]);
  ASSERT_TRUE(client_eof);

  // The client side: responses in request order, HEAD has no body.
  ResponseParser p;
  std::vector<std::string> got;
  std::string_view wire = received;
  for (bool head : {false, true, false, false}) {
    p.Reset(head);
    std::string body;
    while (true) {
      auto r = p.Feed(wire);
      wire.remove_prefix(r.consumed);
      if (r.status == ResponseParser::Status::kData) body.append(r.data);
      if (r.status == ResponseParser::Status::kDone) break;
      ASSERT_NE(r.status, ResponseParser::Status::kError) << p.error();
      ASSERT_NE(r.status, ResponseParser::Status::kNeedMore);
    }
    got.push_back(absl::StrFormat("%d ka=%d len=%d", p.head().status,
                                  p.keep_alive(), body.size()));
    if (got.size() == 1) {
      EXPECT_EQ(body, big);
    }
  }
  EXPECT_TRUE(wire.empty());
  EXPECT_THAT(got, ElementsAre(absl::StrFormat("200 ka=1 len=%d", big.size()),
                               "200 ka=1 len=0", HasSubstr("404 ka=1"),
                               "200 ka=0 len=9"));
}

}  // namespace
}  // namespace skiff::http
