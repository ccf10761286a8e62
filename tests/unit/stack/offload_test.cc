// Two stacks over a SimWire that declares checksum offload
// (SimWireConfig::checksum_offload): the stacks leave the sums to the "NIC"
// and still move bytes exactly, and a frame the link corrupted is dropped
// and counted by the receiving stack as without offload.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

class Offload : public TwoStacks {
 protected:
  void SetUp() override {
    checksum_offload_ = true;
    Build({}, {});
  }
};

std::string Drops(const StackCounters& c) {
  std::string out;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    const auto r = static_cast<DropReason>(i);
    if (c.drops[r] != 0) {
      out += std::string(DropReasonName(r)) + "=" + std::to_string(c.drops[r]) +
             " ";
    }
  }
  return out;
}

// Drops but the peer's gratuitous ARP from its Start() (not for us, and no
// entry of ours to refresh).
uint64_t IpDrops(const StackCounters& c) {
  return c.drops.Total() - c.drops[DropReason::kArpNotForUs];
}

uint64_t ChecksumDrops(const StackCounters& c) {
  return c.drops[DropReason::kIpBadChecksum] +
         c.drops[DropReason::kTcpBadChecksum];
}

TEST_F(Offload, StacksUseTheOffloadAndMoveBytesExactly) {
  EXPECT_TRUE(client_->caps().tx_tcp_checksum);
  EXPECT_TRUE(server_->caps().rx_tcp_checksum);
  EXPECT_TRUE(Transfer(4u << 20, Duration::Seconds(60)));
  EXPECT_EQ(IpDrops(client_->counters()), 0u) << Drops(client_->counters());
  EXPECT_EQ(IpDrops(server_->counters()), 0u) << Drops(server_->counters());
}

TEST_F(Offload, EveryCorruptedFrameIsDroppedAndCounted) {
  // Every IPv4 frame client -> server corrupted: no SYN gets through (ARP
  // passes, CorruptFrame leaves it alone), and the server drops each one.
  Build({.seed = 5, .corrupt = 1.0}, {});
  ASSERT_TRUE(server_->Listen(5001).ok());
  ASSERT_TRUE(client_->Connect(kServerIp, 5001).ok());
  RunFor(Duration::Seconds(8));
  const uint64_t corrupted = wire_->counters_a_to_b().corrupted;
  const StackCounters s = server_->counters();
  ASSERT_GT(corrupted, 2u);  // the SYN and its retransmissions
  EXPECT_EQ(IpDrops(s), corrupted) << Drops(s);
  EXPECT_GT(ChecksumDrops(s), 0u);
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
}

TEST_F(Offload, ByteExactOverACorruptingLink) {
  Build({.seed = 11, .corrupt = 0.05}, {.seed = 12, .corrupt = 0.05});
  EXPECT_TRUE(Transfer(1u << 20, Duration::Seconds(300)));
  EXPECT_GT(wire_->counters_a_to_b().corrupted, 0u);
  EXPECT_GT(ChecksumDrops(server_->counters()), 0u);
}

}  // namespace
}  // namespace skiff::testing
