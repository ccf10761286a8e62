// IPv4 input validation (RFC 791; RFC 1122 §3.2.1), delivery through the
// transport seam, and output routing and header emission.
#include <gtest/gtest.h>

#include <optional>

#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

// Records what a transport would see.
class FakeTransport final : public Ipv4Handler {
 public:
  void Input(const Ipv4View& ip, Packet pkt, Instant now) override {
    ++calls;
    src = ip.src();
    header_len = ip.header_len();
    when = now;
    bytes.assign(pkt.data().begin(), pkt.data().end());
  }
  int calls = 0;
  Ipv4Address src;
  size_t header_len = 0;
  Instant when;
  Bytes bytes;
};

class Ipv4Test : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
    stack_->RegisterHandler(IpProtocol::kTcp, &tcp_);
  }
  Bytes TcpTo(Ipv4Repr ip = PeerToUs(IpProtocol::kTcp),
              const Bytes& payload = Filled(24)) {
    return Ipv4Frame(ip, payload);
  }
  // Expects exactly one drop, of reason r, and nothing delivered or sent.
  void ExpectDropped(const Bytes& frame, DropReason r) {
    const uint64_t before = Drops(r);
    const uint64_t total = TotalDrops();
    Receive(frame);
    EXPECT_EQ(Drops(r), before + 1) << DropReasonName(r);
    EXPECT_EQ(TotalDrops(), total + 1);
    EXPECT_EQ(tcp_.calls, 0);
    EXPECT_TRUE(Sent().empty());
  }

  FakeTransport tcp_;
};

TEST_F(Ipv4Test, Valid_DeliveredAtTransportHeader) {
  Receive(TcpTo());
  ASSERT_EQ(tcp_.calls, 1);
  EXPECT_EQ(tcp_.src, kPeerIp);
  EXPECT_EQ(tcp_.bytes, Filled(24));
  EXPECT_EQ(tcp_.when, clock_.Now());
  EXPECT_EQ(C().ip.in_delivers, 1u);
}

TEST_F(Ipv4Test, LinkPadding_Stripped) {
  Bytes f = TcpTo(PeerToUs(IpProtocol::kTcp), Filled(4));
  f.resize(60, std::byte{0xee});
  Receive(f);
  ASSERT_EQ(tcp_.calls, 1);
  EXPECT_EQ(tcp_.bytes, Filled(4));
}

TEST_F(Ipv4Test, Options_SkippedBeforeDelivery) {
  Bytes f = TcpTo();
  // IHL 6: insert four NOP/EOL option bytes after the fixed header.
  f.insert(f.begin() + 34, 4, std::byte{0});
  f[14] = std::byte{0x46};
  StoreBe16(f.data() + 16, static_cast<uint16_t>(24 + 24));
  FixIpChecksum(f);
  Receive(f);
  ASSERT_EQ(tcp_.calls, 1);
  EXPECT_EQ(tcp_.header_len, 24u);
  EXPECT_EQ(tcp_.bytes, Filled(24));
}

TEST_F(Ipv4Test, Malformed_EachDroppedWithItsReason) {
  const Bytes good = TcpTo();
  {
    Bytes f(good.begin(), good.begin() + 14 + 19);
    ExpectDropped(f, DropReason::kIpTooShort);
  }
  {
    Bytes f = good;
    f[14] = std::byte{0x65};  // version 6
    FixIpChecksum(f);
    ExpectDropped(f, DropReason::kIpBadVersion);
  }
  {
    Bytes f = good;
    f[14] = std::byte{0x44};  // IHL 4 < 5
    ExpectDropped(f, DropReason::kIpBadIhl);
  }
  {
    Bytes f = good;
    f[14] = std::byte{0x4f};  // IHL 15: 60 bytes, more than the packet
    Bytes g(f.begin(), f.begin() + 14 + 40);
    StoreBe16(g.data() + 16, 40);
    ExpectDropped(g, DropReason::kIpBadIhl);
  }
  {
    Bytes f = good;
    StoreBe16(f.data() + 16, 200);  // total length beyond the frame
    FixIpChecksum(f);
    ExpectDropped(f, DropReason::kIpBadLength);
  }
  {
    Bytes f = good;
    StoreBe16(f.data() + 16, 19);  // total length < header
    FixIpChecksum(f);
    ExpectDropped(f, DropReason::kIpBadLength);
  }
  {
    Bytes f = good;
    f[14 + 10] ^= std::byte{0x01};
    ExpectDropped(f, DropReason::kIpBadChecksum);
  }
  {
    Ipv4Repr ip = PeerToUs(IpProtocol::kTcp);
    ip.ttl = 0;
    ExpectDropped(TcpTo(ip), DropReason::kIpTtlExpired);
  }
  {
    Ipv4Repr ip = PeerToUs(IpProtocol::kTcp);
    ip.src = Ipv4Address::Broadcast();
    ExpectDropped(TcpTo(ip), DropReason::kIpBadSource);
    ip.src = kSubnetBroadcast;
    ExpectDropped(TcpTo(ip), DropReason::kIpBadSource);
    ip.src = Ipv4Address(239, 1, 2, 3);
    ExpectDropped(TcpTo(ip), DropReason::kIpBadSource);
  }
  {
    Ipv4Repr ip = PeerToUs(IpProtocol::kTcp);
    ip.dst = kOtherIp;
    ExpectDropped(TcpTo(ip), DropReason::kIpNotForUs);
    ip.dst = Ipv4Address(224, 0, 0, 1);
    ExpectDropped(TcpTo(ip), DropReason::kIpNotForUs);
  }
  {
    Bytes f = good;
    f[14 + 6] |= std::byte{0x20};  // more fragments
    FixIpChecksum(f);
    ExpectDropped(f, DropReason::kIpFragment);
    Bytes g = good;
    StoreBe16(g.data() + 14 + 6, 0x0010);  // offset 128
    FixIpChecksum(g);
    ExpectDropped(g, DropReason::kIpFragment);
  }
}

TEST_F(Ipv4Test, Broadcasts_Accepted) {
  Ipv4Repr ip = PeerToUs(IpProtocol::kTcp);
  ip.dst = Ipv4Address::Broadcast();
  Receive(Ipv4Frame(ip, Filled(8), MacAddress::Broadcast()));
  ip.dst = kSubnetBroadcast;
  Receive(Ipv4Frame(ip, Filled(8), MacAddress::Broadcast()));
  EXPECT_EQ(tcp_.calls, 2);
}

TEST_F(Ipv4Test, RxChecksumOffloadGood_SkipsSoftwareCheck) {
  Bytes f = TcpTo();
  f[14 + 10] ^= std::byte{0xff};  // wrong, but the NIC says good
  Packet p = MakePacket(f);
  p.mbuf()->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
  channel_->InjectPacket(std::move(p));
  stack_->Poll(clock_.Now());
  EXPECT_EQ(tcp_.calls, 1);
}

TEST_F(Ipv4Test, RxChecksumOffloadBad_Dropped) {
  Packet p = MakePacket(TcpTo());  // correct, but the NIC says bad
  p.mbuf()->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
  channel_->InjectPacket(std::move(p));
  stack_->Poll(clock_.Now());
  EXPECT_EQ(tcp_.calls, 0);
  EXPECT_EQ(Drops(DropReason::kIpBadChecksum), 1u);
}

TEST_F(Ipv4Test, UnregisteredTransport_GetsProtocolUnreachable) {
  stack_->RegisterHandler(IpProtocol::kTcp, nullptr);
  LearnPeer();
  Receive(TcpTo());
  EXPECT_EQ(tcp_.calls, 0);
  EXPECT_EQ(Drops(DropReason::kIpUnknownProtocol), 1u);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0][14 + 20], std::byte{IcmpType::kDestUnreachable});
  EXPECT_EQ(sent[0][14 + 21], std::byte{IcmpUnreachCode::kProtocol});
}

// --- output ---

class Ipv4OutputTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
  }
  std::optional<Bytes> SendOne(Ipv4Address dst, uint8_t proto,
                               size_t len = 16) {
    stack_->SendIpv4(L4(Filled(len)), dst, proto, clock_.Now());
    stack_->Poll(clock_.Now());
    auto sent = Sent();
    if (sent.size() != 1) return std::nullopt;
    return sent[0];
  }
  static Ipv4Address ArpTarget(const Bytes& f) {
    EXPECT_EQ(LoadBe16(f.data() + 12), EtherType::kArp);
    return Ipv4Address::Load(f.data() + 14 + 24);
  }
};

TEST_F(Ipv4OutputTest, OnLink_ResolvesDestinationItself) {
  auto f = SendOne(kPeerIp, IpProtocol::kTcp);
  ASSERT_TRUE(f);
  EXPECT_EQ(ArpTarget(*f), kPeerIp);
  EXPECT_EQ(stack_->arp().pending(kPeerIp), 1u);
}

TEST_F(Ipv4OutputTest, OffLink_ResolvesGateway) {
  auto f = SendOne(kRemoteIp, IpProtocol::kTcp);
  ASSERT_TRUE(f);
  EXPECT_EQ(ArpTarget(*f), kGatewayIp);
  EXPECT_EQ(stack_->arp().pending(kGatewayIp), 1u);
  LearnPeer(kGatewayIp, kGatewayMac);
  // The gateway's reply (LearnPeer's request) released the packet.
  EXPECT_EQ(stack_->arp().pending(kGatewayIp), 0u);
}

TEST_F(Ipv4OutputTest, OffLink_ToGatewayMacWithFinalDestination) {
  LearnPeer(kGatewayIp, kGatewayMac);
  auto f = SendOne(kRemoteIp, IpProtocol::kTcp);
  ASSERT_TRUE(f);
  EXPECT_EQ(MacAddress::Load(f->data()), kGatewayMac);
  EXPECT_EQ(Ipv4Address::Load(f->data() + 14 + 16), kRemoteIp);
}

TEST_F(Ipv4OutputTest, OffLink_NoGateway_NoRoute) {
  StackConfig c = DefaultConfig();
  c.gateway.reset();
  Make(c);
  EXPECT_FALSE(stack_->SendIpv4(L4(Filled(8)), kRemoteIp, 253, clock_.Now()));
  EXPECT_EQ(Drops(DropReason::kIpNoRoute), 1u);
  // Loopback and multicast have no route either.
  EXPECT_FALSE(stack_->SendIpv4(L4(Filled(8)), Ipv4Address(127, 0, 0, 1), 253,
                                clock_.Now()));
  EXPECT_FALSE(stack_->SendIpv4(L4(Filled(8)), Ipv4Address(224, 0, 0, 5), 253,
                                clock_.Now()));
  EXPECT_EQ(Drops(DropReason::kIpNoRoute), 3u);
}

TEST_F(Ipv4OutputTest, Broadcast_SentToBroadcastMacWithoutArp) {
  auto f = SendOne(kSubnetBroadcast, 253);
  ASSERT_TRUE(f);
  EXPECT_TRUE(MacAddress::Load(f->data()).IsBroadcast());
  EXPECT_EQ(LoadBe16(f->data() + 12), EtherType::kIpv4);
  EXPECT_EQ(stack_->arp().size(), 0u);
}

TEST_F(Ipv4OutputTest, Header_ByteExact_DfOnTcpOnly) {
  LearnPeer();
  auto f = SendOne(kPeerIp, IpProtocol::kTcp, 16);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 14u + 20 + 16);
  const std::byte* ip = f->data() + 14;
  EXPECT_EQ(ip[0], std::byte{0x45});
  EXPECT_EQ(ip[1], std::byte{0});
  EXPECT_EQ(LoadBe16(ip + 2), 36);
  const uint16_t id = LoadBe16(ip + 4);
  EXPECT_EQ(LoadBe16(ip + 6), 0x4000);  // DF, offset 0
  EXPECT_EQ(ip[8], std::byte{64});
  EXPECT_EQ(ip[9], std::byte{IpProtocol::kTcp});
  EXPECT_EQ(InternetChecksum({ip, 20}), 0);
  EXPECT_EQ(Ipv4Address::Load(ip + 12), kOurIp);
  EXPECT_EQ(Ipv4Address::Load(ip + 16), kPeerIp);
  EXPECT_EQ(Bytes(f->begin() + 34, f->end()), Filled(16));

  auto g = SendOne(kPeerIp, 253);
  ASSERT_TRUE(g);
  EXPECT_EQ(LoadBe16(g->data() + 14 + 4), static_cast<uint16_t>(id + 1));
  EXPECT_EQ(LoadBe16(g->data() + 14 + 6), 0);  // no DF
}

TEST_F(Ipv4OutputTest, TxChecksumOffload_LeavesChecksumToNic) {
  Make(DefaultConfig(), DeviceCaps{.tx_ipv4_checksum = true});
  LearnPeer();
  stack_->SendIpv4(L4(Filled(16)), kPeerIp, IpProtocol::kTcp, clock_.Now());
  stack_->Poll(clock_.Now());
  auto sent = channel_->TakeSentPackets();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].wants_tx_ipv4_checksum());
  EXPECT_EQ(sent[0].mbuf()->l2_len, 14u);
  EXPECT_EQ(sent[0].mbuf()->l3_len, 20u);
  EXPECT_EQ(LoadBe16(sent[0].data().data() + 14 + 10), 0);
}

TEST_F(Ipv4OutputTest, TooBig_Dropped) {
  EXPECT_FALSE(stack_->SendIpv4(L4(Filled(1481)), kPeerIp, 253, clock_.Now()));
  EXPECT_EQ(Drops(DropReason::kIpTooBig), 1u);
  EXPECT_TRUE(stack_->SendIpv4(L4(Filled(1480)), kPeerIp, 253, clock_.Now()));
}

}  // namespace
}  // namespace skiff::testing
