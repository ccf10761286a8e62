#include "drivers/sim/test_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

#include "tests/support/eal_env.h"
#include "tests/unit/drivers/frames.h"

namespace skiff {
namespace {

using ::skiff::testing::IcmpFrame;
using ::skiff::testing::TestPool;

const MacAddress kUs({0x02, 0, 0, 0, 0, 1});
const MacAddress kPeer({0x02, 0, 0, 0, 0, 2});

TEST(TestChannel, InjectedFramesComeOutOfRxBurstInOrder) {
  const uint32_t start = TestPool().available();
  {
    TestChannel ch(TestPool(), kUs);
    auto f1 = IcmpFrame(kPeer, kUs, 1);
    auto f2 = IcmpFrame(kPeer, kUs, 2, 100);
    ASSERT_TRUE(ch.Inject(f1));
    ASSERT_TRUE(ch.Inject(f2));
    EXPECT_EQ(ch.rx_pending(), 2u);

    std::array<Packet, 8> rx;
    ASSERT_EQ(ch.RxBurst(rx), 2u);
    EXPECT_EQ(ch.rx_pending(), 0u);
    EXPECT_THAT(PacketBytes(rx[0]), ::testing::ElementsAreArray(f1));
    EXPECT_THAT(PacketBytes(rx[1]), ::testing::ElementsAreArray(f2));
    EXPECT_EQ(ch.RxBurst(rx), 0u);
  }
  EXPECT_EQ(TestPool().available(), start);
}

TEST(TestChannel, RxBurstHandsOutAtMostTheSpan) {
  TestChannel ch(TestPool(), kUs);
  for (uint16_t i = 0; i < 5; ++i) ch.Inject(IcmpFrame(kPeer, kUs, i));
  std::array<Packet, 3> rx;
  EXPECT_EQ(ch.RxBurst(rx), 3u);
  EXPECT_EQ(ch.rx_pending(), 2u);
}

TEST(TestChannel, TransmittedFramesAreTakenAsBytesAndFreed) {
  const uint32_t start = TestPool().available();
  TestChannel ch(TestPool(), kUs);
  auto frame = IcmpFrame(kUs, kPeer, 7);
  std::array<Packet, 2> tx = {testing::MakePacket(frame),
                              testing::MakePacket(frame)};
  EXPECT_EQ(ch.TxBurst(tx), 2u);
  EXPECT_TRUE(tx[0].empty());
  EXPECT_TRUE(tx[1].empty());
  EXPECT_EQ(ch.tx_count(), 2u);

  auto sent = ch.TakeSent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0], frame);
  EXPECT_EQ(ch.tx_count(), 0u);
  EXPECT_EQ(ch.tx_total(), 2u);
  EXPECT_TRUE(ch.TakeSent().empty());
  EXPECT_EQ(TestPool().available(), start);
}

TEST(TestChannel, TxCapacityLimitsEachBurstAndLeavesTheRestWithTheCaller) {
  TestChannel ch(TestPool(), kUs);
  ch.set_tx_capacity(1);
  auto frame = IcmpFrame(kUs, kPeer, 1);
  std::array<Packet, 3> tx = {testing::MakePacket(frame),
                              testing::MakePacket(frame),
                              testing::MakePacket(frame)};
  EXPECT_EQ(ch.TxBurst(tx), 1u);
  EXPECT_TRUE(tx[0].empty());
  EXPECT_FALSE(tx[1].empty());
  EXPECT_FALSE(tx[2].empty());
  ch.set_tx_capacity(0);
  EXPECT_EQ(ch.TxBurst(std::span(tx).subspan(1)), 0u);
  EXPECT_EQ(ch.tx_count(), 1u);
}

TEST(TestChannel, TakeSentPacketsKeepsTheMbufs) {
  TestChannel ch(TestPool(), kUs);
  std::array<Packet, 1> tx = {testing::MakePacket(IcmpFrame(kUs, kPeer, 1))};
  tx[0].SetTxOffload({.ipv4_checksum = true, .l2_len = 14, .l3_len = 20});
  ch.TxBurst(tx);
  auto pkts = ch.TakeSentPackets();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_TRUE(pkts[0].wants_tx_ipv4_checksum());
}

TEST(TestChannel, ReportsWhatItWasBuiltWith) {
  DeviceCaps caps{.tx_tcp_checksum = true};
  TestChannel ch(TestPool(), kUs, 9000, caps);
  EXPECT_EQ(ch.mac(), kUs);
  EXPECT_EQ(ch.mtu(), 9000);
  EXPECT_TRUE(ch.caps().tx_tcp_checksum);
  EXPECT_FALSE(ch.caps().rx_tcp_checksum);
  EXPECT_EQ(&ch.pool(), &TestPool());
}

TEST(TestChannel, UnreadFramesAreFreedWithTheChannel) {
  const uint32_t start = TestPool().available();
  {
    TestChannel ch(TestPool(), kUs);
    ch.Inject(IcmpFrame(kPeer, kUs, 1));
    std::array<Packet, 1> tx = {testing::MakePacket(IcmpFrame(kUs, kPeer, 2))};
    ch.TxBurst(tx);
  }
  EXPECT_EQ(TestPool().available(), start);
}

}  // namespace
}  // namespace skiff
