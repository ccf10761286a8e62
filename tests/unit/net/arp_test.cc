// ARP: replies, learning (RFC 826 merge), resolution with parked packets,
// retries rate-limited per RFC 1122 §2.3.2.1, give-up, aging, bounds.
#include <gtest/gtest.h>

#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

class ArpTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
  }
  // A small datagram for SendIpv4.
  bool SendTo(Ipv4Address dst, size_t len = 16) {
    return stack_->SendIpv4(L4(Filled(len)), dst, 253, clock_.Now());
  }
  void Flush() { stack_->Poll(clock_.Now()); }
  static bool IsRequestFor(const Bytes& f, Ipv4Address target) {
    if (f.size() != 42 || LoadBe16(f.data() + 12) != EtherType::kArp) {
      return false;
    }
    DropReason why;
    auto arp = ArpRepr::Parse(ConstByteSpan(f).subspan(14), &why);
    return arp && arp->op == ArpOp::kRequest && arp->target_ip == target &&
           arp->sender_ip == kOurIp && arp->sender_mac == kOurMac &&
           MacAddress::Load(f.data()).IsBroadcast();
  }
};

TEST_F(ArpTest, Start_SendsGratuitousArp) {
  stack_->Start(clock_.Now());
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  const Bytes expected = {
      // Ethernet: broadcast, from us, ARP
      std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff},
      std::byte{0xff}, std::byte{0xff}, std::byte{0x02}, std::byte{0},
      std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0x01},
      std::byte{0x08}, std::byte{0x06},
      // htype 1, ptype 0x0800, hlen 6, plen 4, op request
      std::byte{0}, std::byte{1}, std::byte{0x08}, std::byte{0}, std::byte{6},
      std::byte{4}, std::byte{0}, std::byte{1},
      // sender 02:00:00:00:00:01 10.0.0.1
      std::byte{0x02}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
      std::byte{0x01}, std::byte{10}, std::byte{0}, std::byte{0}, std::byte{1},
      // target 00:00:00:00:00:00 10.0.0.1 (RFC 5227 announcement)
      std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
      std::byte{0}, std::byte{10}, std::byte{0}, std::byte{0}, std::byte{1}};
  EXPECT_EQ(sent[0], expected);
  EXPECT_EQ(C().arp.gratuitous_out, 1u);
}

TEST_F(ArpTest, Start_GratuitousDisabled_SendsNothing) {
  StackConfig c = DefaultConfig();
  c.arp.gratuitous_on_start = false;
  Make(c);
  stack_->Start(clock_.Now());
  EXPECT_TRUE(Sent().empty());
}

TEST_F(ArpTest, RequestForUs_RepliesByteExactAndLearns) {
  Bytes req =
      ArpFrame(ArpOp::kRequest, kPeerMac, kPeerIp, MacAddress(), kOurIp);
  req.resize(60);  // minimum frame with link padding
  Receive(req);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], ArpFrame(ArpOp::kReply, kOurMac, kOurIp, kPeerMac, kPeerIp,
                              kPeerMac));
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac);
  EXPECT_EQ(C().arp.requests_in, 1u);
  EXPECT_EQ(C().arp.replies_out, 1u);
  EXPECT_EQ(C().arp.learned, 1u);
  EXPECT_EQ(TotalDrops(), 0u);
}

TEST_F(ArpTest, RequestForOther_UnknownSender_DroppedNotLearned) {
  Receive(ArpFrame(ArpOp::kRequest, kPeerMac, kPeerIp, MacAddress(), kOtherIp));
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Drops(DropReason::kArpNotForUs), 1u);
  EXPECT_FALSE(stack_->arp().Lookup(kPeerIp));
}

TEST_F(ArpTest, RequestForOther_KnownSender_MergesNewAddress) {
  LearnPeer();
  // RFC 826: a known sender is updated whatever the target.
  Receive(
      ArpFrame(ArpOp::kRequest, kPeerMac2, kPeerIp, MacAddress(), kOtherIp));
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac2);
  EXPECT_EQ(C().arp.updated, 1u);
  EXPECT_EQ(TotalDrops(), 0u);
}

TEST_F(ArpTest, UnsolicitedReplyToUs_Learned) {
  Receive(ArpFrame(ArpOp::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp, kOurMac));
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac);
}

TEST_F(ArpTest, Probe_AnsweredNotLearned) {
  Receive(ArpFrame(ArpOp::kRequest, kPeerMac, Ipv4Address::Any(), MacAddress(),
                   kOurIp));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], ArpFrame(ArpOp::kReply, kOurMac, kOurIp, kPeerMac,
                              Ipv4Address::Any(), kPeerMac));
  EXPECT_EQ(stack_->arp().size(), 0u);
}

TEST_F(ArpTest, BogusSenders_DroppedAsMalformed) {
  Receive(ArpFrame(ArpOp::kRequest, MacAddress::Broadcast(), kPeerIp,
                   MacAddress(), kOurIp));
  Receive(ArpFrame(ArpOp::kRequest, kPeerMac, Ipv4Address::Broadcast(),
                   MacAddress(), kOurIp));
  Receive(ArpFrame(ArpOp::kRequest, kPeerMac, Ipv4Address(224, 0, 0, 1),
                   MacAddress(), kOurIp));
  EXPECT_EQ(Drops(DropReason::kArpMalformed), 3u);
  Receive(ArpFrame(ArpOp::kRequest, kPeerMac, kOurIp, MacAddress(),
                   kOurIp));  // someone claims our address
  EXPECT_EQ(Drops(DropReason::kArpNotForUs), 1u);
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(stack_->arp().size(), 0u);
}

TEST_F(ArpTest, BadFormat_DroppedWithReason) {
  Bytes f = ArpFrame(ArpOp::kRequest, kPeerMac, kPeerIp, MacAddress(), kOurIp);
  Bytes bad_htype = f;
  StoreBe16(bad_htype.data() + 14, 6);
  Receive(bad_htype);
  EXPECT_EQ(Drops(DropReason::kArpUnsupported), 1u);
  Bytes bad_op = f;
  StoreBe16(bad_op.data() + 20, 3);  // RARP request
  Receive(bad_op);
  Bytes short_frame(f.begin(), f.begin() + 14 + 20);
  Receive(short_frame);
  EXPECT_EQ(Drops(DropReason::kArpMalformed), 2u);
  EXPECT_TRUE(Sent().empty());
}

TEST_F(ArpTest, Output_Unresolved_ParksThenSendsOnReply) {
  EXPECT_TRUE(SendTo(kPeerIp));
  EXPECT_TRUE(SendTo(kPeerIp));
  Flush();
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);  // one request, not one per packet
  EXPECT_TRUE(IsRequestFor(sent[0], kPeerIp));
  EXPECT_EQ(stack_->arp().pending(kPeerIp), 2u);
  Receive(ArpFrame(ArpOp::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp, kOurMac));
  sent = Sent();
  ASSERT_EQ(sent.size(), 2u);
  for (const Bytes& f : sent) {
    EXPECT_EQ(MacAddress::Load(f.data()), kPeerMac);
    EXPECT_EQ(LoadBe16(f.data() + 12), EtherType::kIpv4);
    EXPECT_EQ(f.size(), 14u + 20 + 16);
  }
  EXPECT_EQ(stack_->arp().pending(kPeerIp), 0u);
  EXPECT_EQ(C().arp.resolved, 1u);
}

TEST_F(ArpTest, Output_PendingQueueFull_DropsOverflow) {
  StackConfig c = DefaultConfig();
  c.arp.max_pending = 4;
  Make(c);
  for (int i = 0; i < 6; ++i) SendTo(kPeerIp);
  EXPECT_EQ(stack_->arp().pending(kPeerIp), 4u);
  EXPECT_EQ(Drops(DropReason::kArpPendingOverflow), 2u);
  Receive(ArpFrame(ArpOp::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp, kOurMac));
  EXPECT_EQ(Sent().size(), 1u + 4u);  // request + the parked four
}

TEST_F(ArpTest, Retry_AtMostOnePerSecond_ThenGivesUp) {
  SendTo(kPeerIp);
  Flush();
  EXPECT_EQ(Sent().size(), 1u);
  EXPECT_EQ(stack_->NextDeadline(), clock_.Now() + Duration::Seconds(1));
  Advance(Duration::Millis(500));
  SendTo(kPeerIp);  // more traffic does not mean more requests
  Flush();
  EXPECT_TRUE(Sent().empty());
  Advance(Duration::Millis(499));
  EXPECT_TRUE(Sent().empty());
  Advance(Duration::Millis(1));  // t = 1 s: second request
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(IsRequestFor(sent[0], kPeerIp));
  Advance(Duration::Seconds(1));  // t = 2 s: third (max_tries = 3)
  EXPECT_EQ(Sent().size(), 1u);
  EXPECT_EQ(C().arp.requests_out, 3u);
  Advance(Duration::Millis(999));
  EXPECT_EQ(stack_->arp().pending(kPeerIp), 2u);
  Advance(Duration::Millis(1));  // t = 3 s: give up
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Drops(DropReason::kArpTimeout), 2u);
  EXPECT_EQ(C().arp.gave_up, 1u);
  EXPECT_EQ(stack_->arp().size(), 0u);
  EXPECT_EQ(stack_->NextDeadline(), Instant::Max());
}

TEST_F(ArpTest, Retry_LimitedPerNeighbourNotGlobally) {
  SendTo(kPeerIp);
  SendTo(kOtherIp);
  Flush();
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(IsRequestFor(sent[0], kPeerIp));
  EXPECT_TRUE(IsRequestFor(sent[1], kOtherIp));
}

TEST_F(ArpTest, Entry_AgesOutAfterReachableTime) {
  StackConfig c = DefaultConfig();
  c.arp.reachable_time = Duration::Seconds(30);
  Make(c);
  LearnPeer();
  const Instant learned_at = clock_.Now();
  EXPECT_EQ(stack_->NextDeadline(), learned_at + Duration::Seconds(30));
  Advance(Duration::Seconds(30) - Duration::Nanos(1));
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac);
  Advance(Duration::Nanos(1));
  EXPECT_FALSE(stack_->arp().Lookup(kPeerIp));
  EXPECT_EQ(C().arp.expired, 1u);
  // The next packet asks again.
  SendTo(kPeerIp);
  Flush();
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(IsRequestFor(sent[0], kPeerIp));
}

TEST_F(ArpTest, Entry_RefreshedByArpTraffic) {
  StackConfig c = DefaultConfig();
  c.arp.reachable_time = Duration::Seconds(30);
  Make(c);
  LearnPeer();
  Advance(Duration::Seconds(20));
  LearnPeer();  // confirmation restarts the clock
  Advance(Duration::Seconds(20));
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac);
}

TEST_F(ArpTest, Table_Full_DropsNewNeighbours) {
  StackConfig c = DefaultConfig();
  c.arp.max_entries = 2;
  Make(c);
  EXPECT_TRUE(SendTo(kPeerIp));
  EXPECT_TRUE(SendTo(kOtherIp));
  EXPECT_FALSE(SendTo(Ipv4Address(10, 0, 0, 4)));
  EXPECT_EQ(Drops(DropReason::kArpTableFull), 1u);
  // A request for us from a new neighbour is still answered.
  Receive(ArpFrame(ArpOp::kRequest, kPeerMac2, Ipv4Address(10, 0, 0, 5),
                   MacAddress(), kOurIp));
  auto sent = Sent();
  EXPECT_EQ(sent.size(), 3u);  // two requests and the reply
  EXPECT_EQ(stack_->arp().size(), 2u);
}

TEST_F(ArpTest, Resolved_SendsImmediately) {
  LearnPeer();
  EXPECT_TRUE(SendTo(kPeerIp));
  Flush();
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(MacAddress::Load(sent[0].data()), kPeerMac);
  EXPECT_EQ(MacAddress::Load(sent[0].data() + 6), kOurMac);
}

// Issue 8: a SYN flood from spoofed on-link sources makes us answer
// thousands of neighbours that never reply to ARP. ARP under such a flood:
class ArpFloodTest : public ArpTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    StackConfig c = DefaultConfig();
    c.address = {kOurIp, 16};  // room for thousands of on-link neighbours
    Make(c);
  }
  static Ipv4Address Spoofed(int i) {
    return Ipv4Address(10, 0, static_cast<uint8_t>(1 + i / 250),
                       static_cast<uint8_t>(1 + i % 250));
  }
  const ArpConfig defaults_;
};

// Their incomplete entries stop at max_incomplete (counted): a neighbour
// that speaks ARP to us is still learned and served at once, and the
// requests we broadcast stay at about max_incomplete a second however long
// the flood lasts.
TEST_F(ArpFloodTest, UnansweredNeighbours_IncompleteBounded_OthersServed) {
  const size_t cap = defaults_.max_incomplete;
  for (int i = 0; i < 2000; ++i) SendTo(Spoofed(i));
  Flush();
  Sent();
  EXPECT_EQ(C().arp.incomplete, cap);
  EXPECT_EQ(C().arp.requests_out, cap);
  EXPECT_EQ(Drops(DropReason::kArpIncompleteFull), 2000 - cap);
  EXPECT_EQ(Drops(DropReason::kArpTableFull), 0u);

  LearnPeer();  // a real neighbour asks for our address
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac);
  EXPECT_TRUE(SendTo(kPeerIp));
  Flush();
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(MacAddress::Load(sent[0].data()), kPeerMac);

  // Ten more seconds of flood, 2000 new neighbours a second: each slot
  // sends one request a second (its first, or a retry).
  int next = 2000;
  const uint64_t before = C().arp.requests_out;
  for (int step = 0; step < 1000; ++step) {
    for (int k = 0; k < 20; ++k) SendTo(Spoofed(next++));
    Advance(Duration::Millis(10));
    EXPECT_LE(C().arp.incomplete, cap);
  }
  Sent();
  EXPECT_LE(C().arp.requests_out - before, 11 * cap);
  EXPECT_GE(C().arp.requests_out - before, 9 * cap);
  EXPECT_EQ(stack_->arp().Lookup(kPeerIp), kPeerMac);
  // The flood over, its entries give up after max_tries.
  for (int i = 0; i < 4; ++i) Advance(Duration::Seconds(1));
  EXPECT_EQ(C().arp.incomplete, 0u);
  EXPECT_EQ(stack_->arp().parked(), 0u);
}

// Parked packets are bounded over all neighbours (max_parked beyond each
// entry's first), and a new neighbour's first packet is still parked and
// delivered when it answers.
TEST_F(ArpFloodTest, ParkedBoundedGlobally_NewNeighbourFirstPacketParked) {
  constexpr int kNeighbours = 200;
  for (int i = 0; i < kNeighbours; ++i) {
    for (int k = 0; k < 16; ++k) SendTo(Spoofed(i));
  }
  EXPECT_EQ(stack_->arp().parked(), kNeighbours + defaults_.max_parked);
  EXPECT_EQ(Drops(DropReason::kArpParkedFull),
            kNeighbours * 15 - defaults_.max_parked);
  EXPECT_EQ(Drops(DropReason::kArpPendingOverflow), 0u);

  EXPECT_TRUE(SendTo(kPeerIp));
  EXPECT_EQ(stack_->arp().pending(kPeerIp), 1u);
  Flush();
  Sent();
  Receive(ArpFrame(ArpOp::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp, kOurMac));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(MacAddress::Load(sent[0].data()), kPeerMac);
  EXPECT_EQ(LoadBe16(sent[0].data() + 12), EtherType::kIpv4);

  for (int i = 0; i < 4; ++i) {
    Advance(Duration::Seconds(1));  // the rest give up: every mbuf back
  }
  EXPECT_EQ(stack_->arp().parked(), 0u);
  EXPECT_EQ(C().arp.incomplete, 0u);
  EXPECT_EQ(Drops(DropReason::kArpTimeout), kNeighbours + defaults_.max_parked);
}

}  // namespace
}  // namespace skiff::testing
