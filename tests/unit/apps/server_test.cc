// HttpServer (skiff-httpd's logic) on a skiff StackCore, driven by a skiff
// client StackCore over SimWire on a manual clock: GET, HEAD, keep-alive,
// pipelining, and 10,000 connections open at once.
#include "apps/httpd/server.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "apps/http/response_parser.h"
#include "drivers/sim/sim_wire.h"
#include "stack/stack_core.h"
#include "tests/support/eal_env.h"

namespace skiff {
namespace {

constexpr Ipv4Address kClientIp(10, 0, 0, 1);
constexpr Ipv4Address kServerIp(10, 0, 0, 2);

// A client that sends a request on connect and collects what comes back.
class Client : public TcpEventHandler {
 public:
  explicit Client(StackCore& stack) : stack_(stack) {}
  struct Conn {
    std::string request;
    size_t sent = 0;
    std::string received;
    bool connected = false;
    bool eof = false;
  };
  SocketId Open(std::string request) {
    ConnectResult r = stack_.Connect(kServerIp, 80);
    EXPECT_TRUE(r.ok());
    conns[r.value()].request = std::move(request);
    return r.value();
  }
  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    auto it = conns.find(s);
    if (it == conns.end()) return;
    Conn& c = it->second;
    if (ev & TcpEvent::kConnected) c.connected = true;
    Flush(s, c);
    std::byte buf[4096];
    while (true) {
      RecvResult r = stack_.Recv(s, buf);
      if (r.ok()) {
        c.received.append(reinterpret_cast<const char*>(buf), r.value());
        continue;
      }
      if (r.error() != RecvError::kWouldBlock && !c.eof) {
        c.eof = true;
        ++eofs;
        stack_.Close(s);
      }
      break;
    }
  }
  void Flush(SocketId s, Conn& c) {
    if (!c.connected || c.sent == c.request.size()) return;
    SendResult r = stack_.Send(
        s, ConstByteSpan(
               reinterpret_cast<const std::byte*>(c.request.data()) + c.sent,
               c.request.size() - c.sent));
    if (r.ok()) c.sent += r.value();
  }
  void Send(SocketId s, std::string more) {
    Conn& c = conns[s];
    c.request += more;
    Flush(s, c);
  }
  size_t connected() const {
    size_t n = 0;
    for (const auto& [s, c] : conns) n += c.connected;
    return n;
  }
  StackCore& stack_;
  absl::flat_hash_map<SocketId, Conn> conns;
  size_t eofs = 0;
};

// Responses in `wire`, in order: {status, body}.
std::vector<std::pair<int, std::string>> Parse(std::string_view wire,
                                               std::vector<bool> heads) {
  std::vector<std::pair<int, std::string>> out;
  http::ResponseParser p;
  for (bool head : heads) {
    p.Reset(head);
    std::string body;
    while (true) {
      auto r = p.Feed(wire);
      wire.remove_prefix(r.consumed);
      if (r.status == http::ResponseParser::Status::kData) body += r.data;
      if (r.status == http::ResponseParser::Status::kDone) break;
      if (r.status == http::ResponseParser::Status::kError ||
          (r.status == http::ResponseParser::Status::kNeedMore &&
           wire.empty())) {
        return out;
      }
    }
    out.emplace_back(p.head().status, body);
  }
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Build(TcpLayerConfig tcp = {}, http::HttpServerConfig http = {}) {
    pool_start_ = testing::TestPool().available();
    auto wire = SimWire::Create({.clock = &clock_}, testing::TestPool(),
                                testing::TestPool());
    ASSERT_TRUE(wire.ok());
    wire_ = std::move(*wire);
    StackConfig c{.address = {kClientIp, 24}};
    c.tcp = tcp;
    StackConfig s{.address = {kServerIp, 24}};
    s.tcp = tcp;
    client_stack_ = std::make_unique<StackCore>(wire_->a(), c);
    server_stack_ = std::make_unique<StackCore>(wire_->b(), s);
    client_ = std::make_unique<Client>(*client_stack_);
    client_stack_->SetEventHandler(client_.get());
    server_ = std::make_unique<HttpServer>(*server_stack_, http, nullptr,
                                           [] { return int64_t{0}; });
    ASSERT_TRUE(server_->Listen(80, 16384));
    client_stack_->Start(clock_.Now());
    server_stack_->Start(clock_.Now());
  }
  void TearDown() override {
    server_.reset();
    client_.reset();
    server_stack_.reset();
    client_stack_.reset();
    wire_.reset();
    EXPECT_EQ(testing::TestPool().available(), pool_start_) << "mbufs leaked";
  }
  void Turn(Duration step = Duration::Micros(50)) {
    client_stack_->Poll(clock_.Now());
    server_->Poll(clock_.Now());
    clock_.Advance(step);
  }
  template <typename P>
  bool RunUntil(P pred, Duration limit = Duration::Seconds(30)) {
    const Instant end = clock_.Now() + limit;
    while (!pred()) {
      if (clock_.Now() >= end) return false;
      Turn();
    }
    return true;
  }

  ManualClock clock_;
  std::unique_ptr<SimWire> wire_;
  std::unique_ptr<StackCore> client_stack_, server_stack_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<HttpServer> server_;
  uint32_t pool_start_ = 0;
};

TEST_F(HttpServerTest, KeepAlive_TwoRequestsOneConnection) {
  Build();
  SocketId s = client_->Open("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(RunUntil(
      [&] { return Parse(client_->conns[s].received, {false}).size() == 1; }));
  client_->Send(
      s, "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return client_->conns[s].eof; }));
  auto r = Parse(client_->conns[s].received, {false, false});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].first, 200);
  EXPECT_NE(r[0].second.find("<h1>skiff</h1>"), std::string::npos);
  EXPECT_EQ(r[1].first, 200);
  EXPECT_EQ(server_->counters().accepted, 1u);
  EXPECT_EQ(server_->status_counts().by_status[200], 2u);
  EXPECT_TRUE(RunUntil([&] { return server_->live_connections() == 0; }));
}

TEST_F(HttpServerTest, Pipelined_AnsweredInOrder_HeadHasNoBody) {
  Build();
  SocketId s = client_->Open(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"
      "GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(RunUntil([&] { return client_->conns[s].eof; }));
  auto r =
      Parse(client_->conns[s].received, {false, true, false, false, false});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].first, 200);
  EXPECT_EQ(r[1].first, 200);
  EXPECT_TRUE(r[1].second.empty());
  EXPECT_EQ(r[2].first, 404);
  EXPECT_EQ(r[3].first, 405);
  EXPECT_EQ(r[4].first, 200);  // HTTP/1.0: then the server closes
  EXPECT_TRUE(RunUntil([&] { return server_->live_connections() == 0; }));
}

TEST_F(HttpServerTest, IdleConnection_TimesOut) {
  http::HttpServerConfig http;
  http.idle_timeout = Duration::Seconds(2);
  Build({}, http);
  SocketId s = client_->Open("");
  ASSERT_TRUE(RunUntil([&] { return server_->live_connections() == 1; }));
  ASSERT_TRUE(
      RunUntil([&] { return client_->conns[s].eof; }, Duration::Seconds(5)));
  EXPECT_EQ(server_->live_connections(), 0u);
  EXPECT_GE(server_->counters().timeouts, 1u);
}

TEST_F(HttpServerTest, TenThousandConnectionsOpenAtOnce) {
  TcpLayerConfig tcp;
  tcp.connection.time_wait = Duration::Seconds(1);
  http::HttpServerConfig http;
  http.idle_timeout = Duration::Seconds(600);
  Build(tcp, http);
  constexpr size_t kConns = 10000;
  std::vector<SocketId> ids;
  for (size_t i = 0; i < kConns; ++i) ids.push_back(client_->Open(""));
  ASSERT_TRUE(RunUntil([&] { return server_->live_connections() == kConns; },
                       Duration::Seconds(60)))
      << server_->live_connections();
  EXPECT_EQ(client_->connected(), kConns);
  for (SocketId s : ids) {
    client_->Send(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  ASSERT_TRUE(
      RunUntil([&] { return client_->eofs == kConns; }, Duration::Seconds(60)))
      << client_->eofs;
  size_t ok = 0;
  for (SocketId s : ids) {
    auto r = Parse(client_->conns[s].received, {false});
    ok += r.size() == 1 && r[0].first == 200;
  }
  EXPECT_EQ(ok, kConns);
  EXPECT_EQ(server_->live_connections(), 0u);
  EXPECT_EQ(server_->status_counts().by_status[200], kConns);
  // TIME-WAIT (1 s here) drains both tables.
  EXPECT_TRUE(RunUntil(
      [&] {
        return server_stack_->tcp().connection_count() == 0 &&
               client_stack_->tcp().connection_count() == 0;
      },
      Duration::Seconds(10)));
}

}  // namespace
}  // namespace skiff
