// The transmit buffer: bursts, back-pressure (one retry, then kTxRingFull)
// and kTxNoBuffer when the pool runs dry.
#include "stack/net/tx_queue.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

class TxQueueTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
  }
  LinkCounters link_;
  DropCounters drops_;
};

TEST_F(TxQueueTest, Push_HeldUntilFlush) {
  TxQueue q(*channel_, link_, drops_);
  for (int i = 0; i < 5; ++i) q.Push(MakePacket(Filled(60)));
  EXPECT_EQ(channel_->tx_count(), 0u);
  q.Flush();
  EXPECT_EQ(channel_->tx_count(), 5u);
  EXPECT_EQ(link_.tx_packets, 5u);
  EXPECT_EQ(link_.tx_bytes, 300u);
  Sent();
}

TEST_F(TxQueueTest, Full_FlushesBurst) {
  TxQueue q(*channel_, link_, drops_);
  for (size_t i = 0; i < TxQueue::kBurst + 1; ++i) {
    q.Push(MakePacket(Filled(60)));
  }
  EXPECT_EQ(channel_->tx_count(), TxQueue::kBurst);
  EXPECT_EQ(q.size(), 1u);
  q.Flush();
  Sent();
}

TEST_F(TxQueueTest, RingFull_RetriesOnceThenDrops) {
  channel_->set_tx_capacity(10);
  TxQueue q(*channel_, link_, drops_);
  for (size_t i = 0; i < 40; ++i) q.Push(MakePacket(Filled(60)));
  // The 33rd push flushed 32: 10 taken, 10 on the retry, 12 dropped.
  EXPECT_EQ(channel_->tx_count(), 20u);
  EXPECT_EQ(drops_[DropReason::kTxRingFull], 12u);
  q.Flush();  // the remaining 8: all fit
  EXPECT_EQ(channel_->tx_count(), 28u);
  EXPECT_EQ(link_.tx_packets, 28u);
  EXPECT_EQ(drops_[DropReason::kTxRingFull], 12u);
  Sent();
}

TEST_F(TxQueueTest, RingClosed_EverythingDroppedAndFreed) {
  channel_->set_tx_capacity(0);
  TxQueue q(*channel_, link_, drops_);
  for (int i = 0; i < 3; ++i) q.Push(MakePacket(Filled(60)));
  q.Flush();
  EXPECT_EQ(drops_[DropReason::kTxRingFull], 3u);
  EXPECT_EQ(q.size(), 0u);
}

TEST_F(TxQueueTest, Stack_RingFull_CountedInStackDrops) {
  channel_->set_tx_capacity(0);
  LearnPeer();  // the ARP reply is dropped: ring closed
  EXPECT_EQ(Drops(DropReason::kTxRingFull), 1u);
  channel_->set_tx_capacity(1);
  for (int i = 0; i < 3; ++i) {
    stack_->SendIpv4(L4(Filled(8)), kPeerIp, 253, clock_.Now());
  }
  stack_->Poll(clock_.Now());  // 1 + 1 on the retry, 1 dropped
  EXPECT_EQ(Sent().size(), 2u);
  EXPECT_EQ(Drops(DropReason::kTxRingFull), 2u);
}

TEST_F(TxQueueTest, PoolEmpty_ArpRequestCountsNoBuffer) {
  std::vector<Packet> hoard;
  for (Packet p = TestPool().Alloc(); p; p = TestPool().Alloc()) {
    hoard.push_back(std::move(p));
  }
  Packet l4 = std::move(hoard.back());
  hoard.pop_back();
  l4.Append(8);
  // The datagram is parked, but the request cannot be built.
  EXPECT_TRUE(stack_->SendIpv4(std::move(l4), kPeerIp, 253, clock_.Now()));
  EXPECT_EQ(Drops(DropReason::kTxNoBuffer), 1u);
  // Gratuitous ARP and ICMP errors need buffers too.
  stack_->Start(clock_.Now());
  EXPECT_EQ(Drops(DropReason::kTxNoBuffer), 2u);
  hoard.clear();
  // Buffers back: the retry goes out on time.
  Advance(Duration::Seconds(1));
  EXPECT_EQ(Sent().size(), 1u);
}

}  // namespace
}  // namespace skiff::testing
