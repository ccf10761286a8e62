// The StackCore's loop: Ethernet demux, multi-segment drops, rx burst size,
// deadlines and counters.
#include <gtest/gtest.h>

#include "stack/stack_core.h"
#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

class StackTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
  }
  Bytes ArpForUs() {
    return ArpFrame(ArpOp::kRequest, kPeerMac, kPeerIp, MacAddress(), kOurIp);
  }
};

TEST_F(StackTest, Demux_DropsWithReasons) {
  Receive(Bytes(13));
  EXPECT_EQ(Drops(DropReason::kEthTooShort), 1u);

  Bytes other = ArpForUs();
  MacAddress({0x02, 9, 9, 9, 9, 9}).Store(other.data());
  Receive(other);
  Bytes multicast = ArpForUs();
  MacAddress({0x01, 0, 0x5e, 0, 0, 1}).Store(multicast.data());
  Receive(multicast);
  EXPECT_EQ(Drops(DropReason::kEthNotForUs), 2u);

  Receive(EthFrame(kOurMac, kPeerMac, EtherType::kIpv6, Filled(40)));
  Receive(EthFrame(kOurMac, kPeerMac, 0x88cc, Filled(40)));  // LLDP
  EXPECT_EQ(Drops(DropReason::kEthUnknownType), 2u);

  // 802.1Q-tagged ARP for us: we sit on no VLAN.
  Bytes tagged = ArpForUs();
  const std::byte tag[] = {std::byte{0x81}, std::byte{0x00}, std::byte{0},
                           std::byte{5}};
  tagged.insert(tagged.begin() + 12, std::begin(tag), std::end(tag));
  Receive(tagged);
  EXPECT_EQ(Drops(DropReason::kEthVlan), 1u);

  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(C().link.rx_packets, 6u);
  EXPECT_EQ(TotalDrops(), 6u);
}

TEST_F(StackTest, Demux_UnicastAndBroadcastAccepted) {
  Receive(ArpForUs());  // broadcast
  Bytes unicast = ArpForUs();
  kOurMac.Store(unicast.data());
  Receive(unicast);
  EXPECT_EQ(Sent().size(), 2u);
  EXPECT_EQ(C().link.rx_arp, 2u);
  EXPECT_EQ(C().arp.replies_out, 2u);
}

TEST_F(StackTest, MultiSegment_Dropped) {
  Bytes f = ArpForUs();
  Packet head = MakePacket(ConstByteSpan(f).first(20));
  Packet tail = MakePacket(ConstByteSpan(f).subspan(20));
  ASSERT_EQ(rte_pktmbuf_chain(head.mbuf(), tail.Release()), 0);
  channel_->InjectPacket(std::move(head));
  stack_->Poll(clock_.Now());
  EXPECT_EQ(Drops(DropReason::kRxMultiSegment), 1u);
  EXPECT_TRUE(Sent().empty());
}

TEST_F(StackTest, Poll_TakesOneBurstPerTurn) {
  for (int i = 0; i < 40; ++i) channel_->Inject(ArpForUs());
  stack_->Poll(clock_.Now());
  EXPECT_EQ(channel_->rx_pending(), 40u - StackCore::kRxBurst);
  EXPECT_EQ(Sent().size(), StackCore::kRxBurst);
  stack_->Poll(clock_.Now());
  EXPECT_EQ(channel_->rx_pending(), 0u);
  EXPECT_EQ(Sent().size(), 8u);
}

TEST_F(StackTest, NextDeadline_IdleIsMax_ArmedByArp) {
  EXPECT_EQ(stack_->NextDeadline(), Instant::Max());
  stack_->SendIpv4(L4(Filled(8)), kPeerIp, 253, clock_.Now());
  EXPECT_EQ(stack_->NextDeadline(), clock_.Now() + Duration::Seconds(1));
  stack_->Poll(clock_.Now());
  Sent();
}

TEST_F(StackTest, RegisterHandler_IcmpCannotBeReplaced) {
  class Sink final : public Ipv4Handler {
   public:
    void Input(const Ipv4View&, Packet, Instant) override { ++calls; }
    int calls = 0;
  } sink;
  stack_->RegisterHandler(IpProtocol::kIcmp, &sink);
  LearnPeer();
  Receive(Ipv4Frame(PeerToUs(IpProtocol::kIcmp),
                    IcmpEcho(IcmpType::kEchoRequest, 1, 1, Filled(8))));
  EXPECT_EQ(sink.calls, 0);
  EXPECT_EQ(Sent().size(), 1u);
}

TEST_F(StackTest, Counters_FormattedNonzeroAndQueryable) {
  stack_->Start(clock_.Now());
  Receive(ArpForUs());
  Receive(Bytes(3));
  Sent();
  const std::string text = stack_->FormatCounters();
  EXPECT_NE(text.find("arp_gratuitous_out"), std::string::npos) << text;
  EXPECT_NE(text.find("arp_replies_out"), std::string::npos);
  EXPECT_NE(text.find("drop_eth_too_short"), std::string::npos);
  EXPECT_EQ(text.find("ip_in_receives"), std::string::npos);  // zero
  EXPECT_EQ(FindCounter(C(), "link_rx_packets"), 2u);
  EXPECT_EQ(FindCounter(C(), "link_tx_packets"), 2u);
  EXPECT_EQ(FindCounter(C(), "drop_eth_too_short"), 1u);
  EXPECT_EQ(FindCounter(C(), "drop_total"), 1u);
  EXPECT_EQ(FindCounter(C(), "no_such_counter"), std::nullopt);
}

}  // namespace
}  // namespace skiff::testing
