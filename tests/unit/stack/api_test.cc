// The public embedding API (include/skiff/stack.h) end to end: two public
// Stacks over the in-process SimWire, driven through the facade only.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "drivers/sim/sim_wire.h"
#include "skiff/stack.h"
#include "tests/support/eal_env.h"
#include "tests/unit/stack/next_event_loop.h"

namespace skiff {
namespace {

constexpr Ipv4Address kClientIp(10, 0, 0, 1);
constexpr Ipv4Address kServerIp(10, 0, 0, 2);

class Events final : public EventHandler {
 public:
  void OnAcceptable(ListenerId l) override { acceptable.push_back(l); }
  void OnSocketEvent(SocketId, TcpEvents ev) override { all |= ev; }
  std::vector<ListenerId> acceptable;
  TcpEvents all = TcpEvents::kNone;
};

// Stepped to the next event (next_event_loop.h): a stack that calls itself
// due yet moves nothing fails the test.
class ApiTest : public testing::NextEventLoop<Stack> {
 protected:
  void SetUp() override {
    auto wire = SimWire::Create({.a_to_b = {.delay = Duration::Millis(1)},
                                 .b_to_a = {.delay = Duration::Millis(1)},
                                 .clock = &clock_},
                                testing::TestPool(), testing::TestPool());
    ASSERT_TRUE(wire.ok()) << wire.status();
    wire_ = std::move(*wire);
    Config c;
    c.address = {kClientIp, 24};
    Config s;
    s.address = {kServerIp, 24};
    client_ = std::make_unique<Stack>(wire_->a(), c);
    server_ = std::make_unique<Stack>(wire_->b(), s);
    client_->SetEventHandler(&client_events_);
    server_->SetEventHandler(&server_events_);
    client_->Start(clock_.Now());
    server_->Start(clock_.Now());
  }
  // Connects a client socket to a listener on port 80; returns both ends.
  std::pair<SocketId, SocketId> Open() {
    auto l = server_->Listen(80);
    EXPECT_TRUE(l.ok());
    auto c = client_->Connect(kServerIp, 80);
    EXPECT_TRUE(c.ok());
    RunFor(Duration::Millis(20));
    auto a = server_->Accept(l.value());
    EXPECT_TRUE(a.ok());
    return {c.value(), a.value()};
  }

  Events client_events_, server_events_;
};

TEST_F(ApiTest, ListenConnectAcceptSendRecvClose) {
  auto [c, s] = Open();
  EXPECT_FALSE(server_events_.acceptable.empty());
  EXPECT_TRUE(Has(client_events_.all, TcpEvents::kConnected));
  const std::string msg = "hello through the facade";
  auto sent = client_->Send(c, AsBytes(msg.data(), msg.size()));
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent.value(), msg.size());
  RunFor(Duration::Millis(20));
  EXPECT_TRUE(Has(server_events_.all, TcpEvents::kReadable));
  std::byte buf[64];
  auto got = server_->Recv(s, buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), got.value()), msg);
  EXPECT_EQ(server_->Recv(s, buf).error(), RecvError::kWouldBlock);
  ASSERT_TRUE(client_->Close(c).ok());
  RunFor(Duration::Millis(20));
  EXPECT_EQ(server_->Recv(s, buf).error(), RecvError::kEof);
  EXPECT_TRUE(server_->Close(s).ok());
}

TEST_F(ApiTest, AcceptOnEmptyQueueWouldBlock) {
  auto l = server_->Listen(81);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(server_->Accept(l.value()).error(), AcceptError::kWouldBlock);
  EXPECT_EQ(server_->Listen(81).error(), ListenError::kAddressInUse);
  EXPECT_EQ(server_->Listen(0).error(), ListenError::kInvalidPort);
  EXPECT_EQ(client_->Connect(Ipv4Address::Broadcast(), 80).error(),
            ConnectError::kInvalidAddress);
}

// Issue 9: a stale id gives kBadSocket from every call, after Close (the
// connection still finishing its FIN exchange) and after it is freed.
void ExpectBadEverywhere(Stack& st, SocketId s) {
  std::byte buf[8];
  EXPECT_EQ(st.Send(s, buf).error(), SendError::kBadSocket);
  EXPECT_EQ(st.Recv(s, buf).error(), RecvError::kBadSocket);
  EXPECT_EQ(st.RecvPeek(s).error(), RecvError::kBadSocket);
  EXPECT_EQ(st.RecvConsume(s, 1).error(), RecvError::kBadSocket);
  EXPECT_EQ(st.SendReserve(s, 8).error(), SendError::kBadSocket);
  EXPECT_EQ(st.SendCommit(s, 8).error(), SendError::kBadSocket);
  EXPECT_EQ(st.Shutdown(s).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.Close(s).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.Abort(s).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.Info(s).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.SetNoDelay(s, true).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.SetKeepAlive(s, true).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.SetLingerZero(s, true).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.SetSendBufferSize(s, 4096).error(), SocketError::kBadSocket);
  EXPECT_EQ(st.SetRecvBufferSize(s, 4096).error(), SocketError::kBadSocket);
}

TEST_F(ApiTest, StaleHandleIsBadSocketEverywhere) {
  auto [c, s] = Open();
  ASSERT_TRUE(client_->Close(c).ok());
  ExpectBadEverywhere(*client_, c);  // closing, not freed yet
  ASSERT_TRUE(server_->Close(s).ok());
  RunFor(Duration::Seconds(130));  // past TIME-WAIT: both freed
  ExpectBadEverywhere(*client_, c);
  ExpectBadEverywhere(*server_, s);
  ExpectBadEverywhere(*server_, SocketId{});  // never valid
  auto l = server_->Listen(90);
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(server_->CloseListener(l.value()).ok());
  EXPECT_EQ(server_->CloseListener(l.value()).error(), SocketError::kBadSocket);
  EXPECT_EQ(server_->Accept(l.value()).error(), AcceptError::kBadSocket);
}

TEST_F(ApiTest, InfoAfterTransfer) {
  auto [c, s] = Open();
  std::vector<std::byte> data(100000, std::byte{7});
  size_t sent = 0;
  std::byte buf[4096];
  uint64_t got = 0;
  for (int i = 0; i < 20000 && got < data.size(); ++i) {
    if (sent < data.size()) {
      auto r = client_->Send(c, std::span(data).subspan(sent));
      if (r.ok()) sent += r.value();
    }
    RunFor(Duration::Micros(100));
    for (auto r = server_->Recv(s, buf); r.ok(); r = server_->Recv(s, buf))
      got += r.value();
  }
  ASSERT_EQ(got, data.size());
  RunFor(Duration::Millis(500));  // past the delayed ACK of the tail
  auto ci = client_->Info(c);
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci.value().state, TcpState::kEstablished);
  EXPECT_EQ(ci.value().remote_addr, kServerIp);
  EXPECT_EQ(ci.value().remote_port, 80);
  EXPECT_EQ(ci.value().local_addr, kClientIp);
  EXPECT_GE(ci.value().bytes_sent, data.size());
  EXPECT_EQ(ci.value().bytes_acked, data.size());
  EXPECT_GT(ci.value().rtt, Duration::Zero());
  EXPECT_GT(ci.value().cwnd, 0u);
  EXPECT_GT(ci.value().segs_out, 0u);
  auto si = server_->Info(s);
  ASSERT_TRUE(si.ok());
  EXPECT_EQ(si.value().bytes_received, data.size());
  EXPECT_EQ(si.value().local_port, 80);
  int sockets = 0;
  client_->ForEachSocket([&](SocketId id, const SocketInfo& info) {
    EXPECT_EQ(id, c);
    EXPECT_EQ(info.bytes_acked, data.size());
    ++sockets;
  });
  EXPECT_EQ(sockets, 1);
  uint64_t opens = 0;
  client_->ForEachCounter([&](std::string_view name, uint64_t v) {
    EXPECT_NE(v, 0u);
    if (name == "tcp_active_opens") opens = v;
  });
  EXPECT_EQ(opens, 1u);
}

TEST_F(ApiTest, OptionSetters) {
  auto [c, s] = Open();
  EXPECT_TRUE(client_->SetNoDelay(c, true).ok());
  EXPECT_TRUE(client_->SetKeepAlive(c, true).ok());
  EXPECT_TRUE(client_->SetSendBufferSize(c, 8192).ok());
  // The receive buffer is fixed once the window was announced (SYN).
  EXPECT_EQ(server_->SetRecvBufferSize(s, 8192).error(),
            SocketError::kUnsupported);
  // The smaller send buffer bounds what one Send takes.
  std::vector<std::byte> big(100000);
  auto r = client_->Send(c, big);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 8192u);
  // Once data is buffered the size is fixed.
  EXPECT_EQ(client_->SetSendBufferSize(c, 4096).error(),
            SocketError::kUnsupported);
  // Linger zero: Close resets the peer instead of a FIN.
  EXPECT_TRUE(server_->SetLingerZero(s, true).ok());
  RunFor(Duration::Millis(20));
  ASSERT_TRUE(server_->Close(s).ok());
  RunFor(Duration::Millis(20));
  auto ci = client_->Info(c);
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci.value().error, CloseReason::kReset);
  EXPECT_TRUE(Has(client_events_.all, TcpEvents::kError));
}

TEST_F(ApiTest, ZeroCopyMovesRealBytes) {
  auto [c, s] = Open();
  std::string msg;
  for (int i = 0; i < 3000; ++i) msg += static_cast<char>('a' + i % 26);
  // Reserve/commit in pieces: commit fewer than reserved once.
  size_t put = 0;
  while (put < msg.size()) {
    auto room = client_->SendReserve(c, msg.size() - put);
    ASSERT_TRUE(room.ok());
    RingSpans<std::byte> r = room.value();
    ASSERT_GT(r.size(), 0u);
    size_t n = std::min<size_t>({r.size(), msg.size() - put, 1000});
    size_t k1 = std::min(n, r.first.size());
    std::memcpy(r.first.data(), msg.data() + put, k1);
    // The second span is empty (a null pointer) unless the ring wraps:
    // memcpy must not see a null pointer, even for zero bytes.
    if (n > k1) std::memcpy(r.second.data(), msg.data() + put + k1, n - k1);
    auto done = client_->SendCommit(c, n);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done.value(), n);
    put += n;
  }
  RunFor(Duration::Millis(20));
  std::string got;
  for (;;) {
    auto peek = server_->RecvPeek(s);
    if (!peek.ok()) {
      EXPECT_EQ(peek.error(), RecvError::kWouldBlock);
      break;
    }
    RingSpans<const std::byte> p = peek.value();
    const size_t take = std::min<size_t>(p.size(), 700);
    for (size_t i = 0; i < take; ++i) {
      std::byte b =
          i < p.first.size() ? p.first[i] : p.second[i - p.first.size()];
      got += static_cast<char>(b);
    }
    auto consumed = server_->RecvConsume(s, take);
    ASSERT_TRUE(consumed.ok());
    EXPECT_EQ(consumed.value(), take);
  }
  EXPECT_EQ(got, msg);
}

TEST(TcpEventsTest, TypedBitmaskOperators) {
  TcpEvents e = TcpEvents::kReadable | TcpEvents::kWritable;
  EXPECT_TRUE(Has(e, TcpEvents::kReadable));
  EXPECT_TRUE(Has(e, TcpEvents::kReadable | TcpEvents::kWritable));
  EXPECT_FALSE(Has(e, TcpEvents::kClosed));
  EXPECT_FALSE(Has(e, TcpEvents::kReadable | TcpEvents::kClosed));
  EXPECT_FALSE(Has(e, TcpEvents::kNone));
  EXPECT_EQ(e & TcpEvents::kWritable, TcpEvents::kWritable);
  EXPECT_EQ(e & ~TcpEvents::kWritable, TcpEvents::kReadable);
  EXPECT_EQ(~(TcpEvents::kConnected | TcpEvents::kReadable |
              TcpEvents::kWritable | TcpEvents::kClosed | TcpEvents::kError),
            TcpEvents::kNone);
  e &= TcpEvents::kReadable;
  EXPECT_EQ(e, TcpEvents::kReadable);
  e |= TcpEvents::kError;
  EXPECT_EQ(static_cast<uint8_t>(e), 0x12);
}

TEST(ResultTest, ValueOrAndError) {
  Result<size_t, SendError> ok = size_t{5};
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.value_or(9), 5u);
  auto bad = Result<size_t, SendError>::Error(SendError::kWouldBlock);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.value_or(9), 9u);
  EXPECT_EQ(bad.error(), SendError::kWouldBlock);
}

}  // namespace
}  // namespace skiff
