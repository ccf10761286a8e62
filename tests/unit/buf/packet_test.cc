#include "stack/buf/packet.h"

#include <gtest/gtest.h>

#include <array>

#include "stack/buf/packet_pool.h"
#include "tests/support/eal_env.h"

namespace skiff {
namespace {

using ::skiff::testing::TestPool;

TEST(Packet, FreesItsMbufWhenDropped) {
  uint32_t before = TestPool().available();
  {
    Packet p = TestPool().Alloc();
    ASSERT_TRUE(p);
    EXPECT_EQ(TestPool().available(), before - 1);
  }
  EXPECT_EQ(TestPool().available(), before);
}

TEST(Packet, MoveTransfersOwnership) {
  uint32_t before = TestPool().available();
  Packet a = TestPool().Alloc();
  Packet b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): checking moved-from
  EXPECT_TRUE(b);
  b = Packet();
  EXPECT_EQ(TestPool().available(), before);
}

TEST(Packet, PrependAppendTrim) {
  Packet p = TestPool().Alloc();
  uint16_t head = p.headroom();
  ASSERT_NE(p.Append(100), nullptr);
  EXPECT_EQ(p.length(), 100u);
  ASSERT_NE(p.Prepend(14), nullptr);
  EXPECT_EQ(p.headroom(), head - 14);
  EXPECT_EQ(p.data().size(), 114u);
  EXPECT_TRUE(p.TrimFront(14));
  EXPECT_TRUE(p.TrimBack(50));
  EXPECT_EQ(p.length(), 50u);
  EXPECT_FALSE(p.TrimFront(51));
  EXPECT_EQ(p.Prepend(static_cast<uint16_t>(p.headroom() + 1)), nullptr);
}

TEST(PacketPool, AllocBulkIsAllOrNothing) {
  uint32_t before = TestPool().available();
  std::array<Packet, 100> pkts;
  ASSERT_TRUE(TestPool().AllocBulk(pkts));
  for (Packet& p : pkts) EXPECT_TRUE(p);
  EXPECT_EQ(TestPool().available(), before - 100);
  for (Packet& p : pkts) p.Reset();
  EXPECT_EQ(TestPool().available(), before);
}

TEST(Packet, TxOffloadFlags) {
  Packet p = TestPool().Alloc();
  p.SetTxOffload({.ipv4_checksum = true,
                  .tcp_checksum = true,
                  .l2_len = 14,
                  .l3_len = 20});
  EXPECT_TRUE(p.wants_tx_ipv4_checksum());
  EXPECT_TRUE(p.wants_tx_tcp_checksum());
  p.SetTxOffload({});
  EXPECT_FALSE(p.wants_tx_ipv4_checksum());
  EXPECT_FALSE(p.wants_tx_tcp_checksum());
}

}  // namespace
}  // namespace skiff
