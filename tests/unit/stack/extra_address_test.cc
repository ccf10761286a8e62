// Extra local addresses (StackConfig::extra_addresses): ARP answers for
// each, IPv4 and TCP accept each, Connect chooses one as the source, and
// ephemeral ports are per (source, destination) pair (RFC 6056 §2.1).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "drivers/sim/sim_wire.h"
#include "stack/stack_core.h"
#include "tests/support/eal_env.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

constexpr Ipv4Address kExtra(10, 0, 0, 11);

class ExtraAddressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_start_ = TestPool().available();
    auto wire = SimWire::Create({.clock = &clock_}, TestPool(), TestPool());
    ASSERT_TRUE(wire.ok());
    wire_ = std::move(*wire);
    StackConfig c{.address = {kClientIp, 24}};
    c.extra_addresses = {kExtra};
    c.tcp.ephemeral_first = 50000;  // two ports per (source, destination)
    c.tcp.ephemeral_last = 50001;
    client_ = std::make_unique<StackCore>(wire_->a(), c);
    server_ = std::make_unique<StackCore>(
        wire_->b(), StackConfig{.address = {kServerIp, 24}});
    client_->SetEventHandler(&client_events_);
    server_->SetEventHandler(&server_events_);
    client_->Start(clock_.Now());
    server_->Start(clock_.Now());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    wire_.reset();
    EXPECT_EQ(TestPool().available(), pool_start_) << "mbufs leaked";
  }
  void Run(Duration d) {
    for (Instant end = clock_.Now() + d; clock_.Now() < end;
         clock_.Advance(Duration::Micros(50))) {
      client_->Poll(clock_.Now());
      server_->Poll(clock_.Now());
    }
  }

  ManualClock clock_;
  std::unique_ptr<SimWire> wire_;
  std::unique_ptr<StackCore> client_, server_;
  Recorder client_events_, server_events_;
  uint32_t pool_start_ = 0;
};

TEST_F(ExtraAddressTest, ConnectFromExtra_ArpAnsweredAndServerSeesIt) {
  ASSERT_TRUE(server_->Listen(80).ok());
  ConnectResult r = client_->Connect(kServerIp, 80, kExtra);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(client_->Find(r.value())->tuple().local_addr, kExtra);
  Run(Duration::Millis(10));
  EXPECT_TRUE(client_events_.EventsFor(r.value()) & TcpEvent::kConnected);
  ASSERT_EQ(server_events_.acceptable.size(), 1u);
  SocketId s = server_->Accept(server_events_.acceptable[0]);
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(server_->Find(s)->tuple().remote_addr, kExtra);
  // The server asked for the extra address by ARP and the client answered
  // from it (the primary was learnt from the client's own request).
  EXPECT_TRUE(server_->arp().Lookup(kExtra).has_value());
  EXPECT_TRUE(server_->arp().Lookup(kClientIp).has_value());
  // Data flows back to the extra address.
  const std::byte hello[5] = {};
  ASSERT_TRUE(server_->Send(s, hello).ok());
  Run(Duration::Millis(10));
  std::byte buf[16];
  RecvResult got = client_->Recv(r.value(), buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value(), 5u);
  client_->Abort(r.value());
  server_->Abort(s);
  Run(Duration::Millis(10));
}

TEST_F(ExtraAddressTest, ConnectFromForeignSource_InvalidAddress) {
  ConnectResult r = client_->Connect(kServerIp, 80, Ipv4Address(10, 0, 0, 99));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), ConnectError::kInvalidAddress);
  // Nor to one of our own addresses.
  r = client_->Connect(kExtra, 80);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), ConnectError::kInvalidAddress);
}

TEST_F(ExtraAddressTest, EphemeralPorts_PerSourceDestinationPair) {
  ASSERT_TRUE(server_->Listen(80).ok());
  std::vector<SocketId> open;
  for (int i = 0; i < 2; ++i) {
    ConnectResult r = client_->Connect(kServerIp, 80);
    ASSERT_TRUE(r.ok());
    open.push_back(r.value());
  }
  ConnectResult full = client_->Connect(kServerIp, 80);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), ConnectError::kNoEphemeralPort);
  // The same two ports again, from the other address.
  for (int i = 0; i < 2; ++i) {
    ConnectResult r = client_->Connect(kServerIp, 80, kExtra);
    ASSERT_TRUE(r.ok());
    open.push_back(r.value());
  }
  auto port = [&](size_t i) {
    return client_->Find(open[i])->tuple().local_port;
  };
  EXPECT_EQ(std::min(port(0), port(1)), 50000);
  EXPECT_EQ(std::max(port(0), port(1)), 50001);
  EXPECT_EQ(std::min(port(2), port(3)), 50000);
  EXPECT_EQ(std::max(port(2), port(3)), 50001);
  Run(Duration::Millis(10));
  for (SocketId s : open)
    EXPECT_TRUE(client_events_.EventsFor(s) & TcpEvent::kConnected);
  for (SocketId s : open) client_->Abort(s);
  while (!server_events_.acceptable.empty()) {
    for (SocketId s = server_->Accept(server_events_.acceptable.back());
         s.valid(); s = server_->Accept(server_events_.acceptable.back()))
      server_->Abort(s);
    server_events_.acceptable.pop_back();
  }
  Run(Duration::Millis(10));
}

}  // namespace
}  // namespace skiff::testing
