// ICMP: echo replies byte-checked (in place, any size up to the MTU),
// protocol unreachable with its RFC 1122 §3.2.2 restrictions and rate limit,
// and received errors validated and handed to the quoted protocol's handler
// (RFC 1122 §3.2.2.1, RFC 5927 §4).
#include <gtest/gtest.h>

#include <optional>

#include "tests/unit/net/icmp_frames.h"
#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

class IcmpTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
  }
  static Bytes EchoRequest(size_t payload_len, uint16_t seq = 1) {
    return Ipv4Frame(
        PeerToUs(IpProtocol::kIcmp),
        IcmpEcho(IcmpType::kEchoRequest, 0x1234, seq, Filled(payload_len, 3)));
  }
  // The reply we expect, byte for byte, but for the IP id.
  static void ExpectEchoReply(const Bytes& f, size_t payload_len,
                              uint16_t seq = 1) {
    ASSERT_EQ(f.size(), 14 + 20 + 8 + payload_len);
    EXPECT_EQ(MacAddress::Load(f.data()), kPeerMac);
    EXPECT_EQ(MacAddress::Load(f.data() + 6), kOurMac);
    EXPECT_EQ(LoadBe16(f.data() + 12), EtherType::kIpv4);
    const std::byte* ip = f.data() + 14;
    EXPECT_EQ(ip[0], std::byte{0x45});
    EXPECT_EQ(LoadBe16(ip + 2), 20 + 8 + payload_len);
    EXPECT_EQ(LoadBe16(ip + 6), 0);
    EXPECT_EQ(ip[8], std::byte{64});
    EXPECT_EQ(ip[9], std::byte{IpProtocol::kIcmp});
    EXPECT_EQ(InternetChecksum({ip, 20}), 0);
    EXPECT_EQ(Ipv4Address::Load(ip + 12), kOurIp);
    EXPECT_EQ(Ipv4Address::Load(ip + 16), kPeerIp);
    Bytes icmp(f.begin() + 34, f.end());
    EXPECT_EQ(icmp, IcmpEcho(IcmpType::kEchoReply, 0x1234, seq,
                             Filled(payload_len, 3)));
    EXPECT_EQ(InternetChecksum(icmp), 0);
  }
};

TEST_F(IcmpTest, EchoRequest_RepliedByteExact) {
  LearnPeer();
  Receive(EchoRequest(56));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  ExpectEchoReply(sent[0], 56);
  EXPECT_EQ(C().icmp.in_echos, 1u);
  EXPECT_EQ(C().icmp.out_echo_reps, 1u);
}

TEST_F(IcmpTest, EchoRequest_FullMtu_Replied) {
  LearnPeer();
  Receive(EchoRequest(1472));  // 1500-byte datagram
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  ExpectEchoReply(sent[0], 1472);
}

TEST_F(IcmpTest, EchoRequest_EmptyPaddedFrame_Replied) {
  LearnPeer();
  Bytes f = EchoRequest(0);
  f.resize(60, std::byte{0xab});  // padding must not enter the checksum
  Receive(f);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  ExpectEchoReply(sent[0], 0);
}

TEST_F(IcmpTest, EchoRequest_ReusesTheRequestMbuf) {
  LearnPeer();
  const uint32_t before = TestPool().available();
  Receive(EchoRequest(100));
  // One mbuf for the injected request, which is now the sent reply.
  EXPECT_EQ(channel_->tx_count(), 1u);
  EXPECT_EQ(TestPool().available(), before - 1);
  Sent();
}

TEST_F(IcmpTest, EchoRequest_UnknownPeer_ArpThenReply) {
  Receive(EchoRequest(32));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(LoadBe16(sent[0].data() + 12), EtherType::kArp);
  Receive(ArpFrame(ArpOp::kReply, kPeerMac, kPeerIp, kOurMac, kOurIp, kOurMac));
  sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  ExpectEchoReply(sent[0], 32);
}

TEST_F(IcmpTest, EchoRequest_ToBroadcast_IgnoredByDefault) {
  LearnPeer();
  Ipv4Repr ip = PeerToUs(IpProtocol::kIcmp);
  ip.dst = kSubnetBroadcast;
  Receive(Ipv4Frame(ip, IcmpEcho(IcmpType::kEchoRequest, 1, 1, Filled(8)),
                    MacAddress::Broadcast()));
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Drops(DropReason::kIcmpUnhandledType), 1u);
}

TEST_F(IcmpTest, BadChecksum_Dropped) {
  Bytes f = EchoRequest(16);
  f[14 + 20 + 8] ^= std::byte{1};
  Receive(f);
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Drops(DropReason::kIcmpBadChecksum), 1u);
}

TEST_F(IcmpTest, Truncated_Dropped) {
  Receive(Ipv4Frame(PeerToUs(IpProtocol::kIcmp), Filled(7)));
  EXPECT_EQ(Drops(DropReason::kIcmpMalformed), 1u);
}

TEST_F(IcmpTest, OtherTypes_CountedUnhandled) {
  Receive(Ipv4Frame(PeerToUs(IpProtocol::kIcmp),
                    IcmpEcho(IcmpType::kEchoReply, 1, 1, Filled(8))));
  EXPECT_EQ(Drops(DropReason::kIcmpUnhandledType), 1u);
  EXPECT_EQ(C().icmp.in_msgs, 1u);
}

TEST_F(IcmpTest, UnknownProtocol_UnreachableByteExact) {
  LearnPeer();
  const Bytes req = Ipv4Frame(PeerToUs(99), Filled(40));
  Receive(req);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  const Bytes& f = sent[0];
  // RFC 792: header, unused word, original header + 8 data bytes.
  ASSERT_EQ(f.size(), 14u + 20 + 8 + 20 + 8);
  EXPECT_EQ(MacAddress::Load(f.data()), kPeerMac);
  EXPECT_EQ(Ipv4Address::Load(f.data() + 14 + 16), kPeerIp);
  EXPECT_EQ(f[14 + 9], std::byte{IpProtocol::kIcmp});
  Bytes icmp(f.begin() + 34, f.end());
  EXPECT_EQ(icmp[0], std::byte{3});
  EXPECT_EQ(icmp[1], std::byte{2});
  EXPECT_EQ(LoadBe32(icmp.data() + 4), 0u);
  EXPECT_EQ(Bytes(icmp.begin() + 8, icmp.end()),
            Bytes(req.begin() + 14, req.begin() + 14 + 28));
  EXPECT_EQ(InternetChecksum(icmp), 0);
  EXPECT_EQ(C().icmp.out_dest_unreachs, 1u);
}

TEST_F(IcmpTest, UnknownProtocol_RateLimited) {
  StackConfig c = DefaultConfig();
  c.icmp.error_rate_per_sec = 2;  // one token per 500 ms
  c.icmp.error_burst = 3;
  Make(c);
  LearnPeer();
  for (int i = 0; i < 5; ++i) Receive(Ipv4Frame(PeerToUs(99), Filled(8)));
  EXPECT_EQ(Sent().size(), 3u);
  EXPECT_EQ(Drops(DropReason::kIcmpRateLimited), 2u);
  EXPECT_EQ(Drops(DropReason::kIpUnknownProtocol), 5u);
  clock_.Advance(Duration::Millis(499));
  Receive(Ipv4Frame(PeerToUs(99), Filled(8)));
  EXPECT_TRUE(Sent().empty());
  clock_.Advance(Duration::Millis(1));
  Receive(Ipv4Frame(PeerToUs(99), Filled(8)));
  EXPECT_EQ(Sent().size(), 1u);
  clock_.Advance(Duration::Seconds(10));  // refills to the burst, no more
  for (int i = 0; i < 5; ++i) Receive(Ipv4Frame(PeerToUs(99), Filled(8)));
  EXPECT_EQ(Sent().size(), 3u);
}

TEST_F(IcmpTest, UnknownProtocol_NoErrorAboutBroadcasts) {
  LearnPeer();
  Ipv4Repr ip = PeerToUs(99);
  ip.dst = Ipv4Address::Broadcast();
  Receive(Ipv4Frame(ip, Filled(8), MacAddress::Broadcast()));
  // Unicast IP in a link-layer broadcast (RFC 1122 §3.2.2).
  Receive(Ipv4Frame(PeerToUs(99), Filled(8), MacAddress::Broadcast()));
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Drops(DropReason::kIpUnknownProtocol), 2u);
}

// ---- errors about our datagrams ----

// A transport that records the ICMP errors it is given (copying the
// borrowed quote).
class ErrorRecorder final : public Ipv4Handler {
 public:
  explicit ErrorRecorder(bool takes_errors = true) : takes_(takes_errors) {}
  void Input(const Ipv4View&, Packet, Instant) override {}
  bool OnIcmpError(const IcmpError& err, Instant) override {
    if (!takes_) return false;
    last = err;
    transport.assign(err.transport.begin(), err.transport.end());
    last->transport = {};
    ++count;
    return true;
  }
  std::optional<IcmpError> last;
  Bytes transport;
  int count = 0;

 private:
  bool takes_;
};

class IcmpErrorTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
    stack_->RegisterHandler(IpProtocol::kUdp, &udp_);
  }
  void TearDown() override {
    stack_->RegisterHandler(IpProtocol::kUdp, nullptr);
    NetTest::TearDown();
  }
  // A UDP datagram we sent to the peer (as a router would quote it): the
  // IPv4 header, then ports 40000 → 53 and 20 bytes more.
  static Bytes OurUdp(uint16_t total_len = 1500) {
    Ipv4Repr ip{.src = kOurIp,
                .dst = kRemoteIp,
                .protocol = IpProtocol::kUdp,
                .id = 5,
                .payload_len = static_cast<uint16_t>(total_len - 20)};
    Bytes d(48);
    ip.Emit(d.data(), true);
    StoreBe16(&d[20], 40000);
    StoreBe16(&d[22], 53);
    StoreBe32(&d[24], 0x01020304);
    return d;
  }
  ErrorRecorder udp_;
};

TEST_F(IcmpErrorTest, PortUnreachable_DeliveredToQuotedProtocol) {
  const Bytes quote = OurUdp();
  Receive(IcmpFrom(kRemoteIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                           IcmpUnreachCode::kPort,
                                           ConstByteSpan(quote).first(28))));
  ASSERT_EQ(udp_.count, 1);
  EXPECT_EQ(udp_.last->type, IcmpType::kDestUnreachable);
  EXPECT_EQ(udp_.last->code, IcmpUnreachCode::kPort);
  EXPECT_EQ(udp_.last->mtu, 0);
  EXPECT_EQ(udp_.last->reporter, kRemoteIp);
  EXPECT_EQ(udp_.last->local, kOurIp);
  EXPECT_EQ(udp_.last->remote, kRemoteIp);
  EXPECT_EQ(udp_.last->protocol, IpProtocol::kUdp);
  EXPECT_EQ(udp_.transport, Bytes(quote.begin() + 20, quote.begin() + 28));
  EXPECT_EQ(C().icmp.in_dest_unreachs, 1u);
  EXPECT_EQ(C().icmp.in_errors_delivered, 1u);
  EXPECT_EQ(TotalDrops(), 0u);
  EXPECT_TRUE(Sent().empty());  // never an error about an error
}

TEST_F(IcmpErrorTest, LongQuote_WholeTransportPartPassed) {
  const Bytes quote = OurUdp();  // header + 28 bytes (RFC 1812 quotes more)
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kHost, quote)));
  ASSERT_EQ(udp_.count, 1);
  EXPECT_EQ(udp_.last->reporter, kGatewayIp);
  EXPECT_EQ(udp_.transport.size(), 28u);
}

TEST_F(IcmpErrorTest, FragNeeded_ReportedMtuPassed) {
  Receive(IcmpFrom(kGatewayIp,
                   IcmpErrorMsg(IcmpType::kDestUnreachable,
                                IcmpUnreachCode::kFragNeeded, OurUdp(), 1400)));
  ASSERT_EQ(udp_.count, 1);
  EXPECT_EQ(udp_.last->mtu, 1400);
}

TEST_F(IcmpErrorTest, FragNeededWithoutMtu_Rfc1191PlateauBelowQuotedLength) {
  Receive(IcmpFrom(kGatewayIp,
                   IcmpErrorMsg(IcmpType::kDestUnreachable,
                                IcmpUnreachCode::kFragNeeded, OurUdp(1500))));
  ASSERT_EQ(udp_.count, 1);
  EXPECT_EQ(udp_.last->mtu, 1492);
}

TEST_F(IcmpErrorTest, TimeExceededAndParameterProblem_Delivered) {
  Receive(
      IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kTimeExceeded, 0, OurUdp())));
  Receive(IcmpFrom(kGatewayIp,
                   IcmpErrorMsg(IcmpType::kParameterProblem, 0, OurUdp())));
  EXPECT_EQ(udp_.count, 2);
  EXPECT_EQ(udp_.last->type, IcmpType::kParameterProblem);
  EXPECT_EQ(C().icmp.in_time_excds, 1u);
  EXPECT_EQ(C().icmp.in_parm_probs, 1u);
}

TEST_F(IcmpErrorTest, SourceQuench_IgnoredPerRfc6633) {
  Receive(
      IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kSourceQuench, 0, OurUdp())));
  EXPECT_EQ(udp_.count, 0);
  EXPECT_EQ(C().icmp.in_src_quenchs, 1u);
  EXPECT_EQ(Drops(DropReason::kIcmpSourceQuench), 1u);
}

TEST_F(IcmpErrorTest, QuoteTooShort_BadQuote) {
  const Bytes quote = OurUdp();
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kPort,
                                            ConstByteSpan(quote).first(27))));
  EXPECT_EQ(udp_.count, 0);
  EXPECT_EQ(Drops(DropReason::kIcmpBadQuote), 1u);
}

TEST_F(IcmpErrorTest, QuotedSourceNotOurs_Dropped) {
  Bytes quote = OurUdp();
  kOtherIp.Store(&quote[12]);  // somebody else's datagram
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kPort, quote)));
  EXPECT_EQ(udp_.count, 0);
  EXPECT_EQ(Drops(DropReason::kIcmpQuoteNotOurs), 1u);
}

TEST_F(IcmpErrorTest, SentToBroadcast_Dropped) {
  Receive(IcmpFrom(kGatewayIp,
                   IcmpErrorMsg(IcmpType::kDestUnreachable,
                                IcmpUnreachCode::kPort, OurUdp()),
                   kSubnetBroadcast));
  EXPECT_EQ(udp_.count, 0);
  EXPECT_EQ(Drops(DropReason::kIcmpErrorBroadcast), 1u);
}

TEST_F(IcmpErrorTest, QuotedProtocolWithoutHandler_CountedNoHandler) {
  Bytes quote = OurUdp();
  quote[9] = std::byte{99};
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kPort, quote)));
  EXPECT_EQ(Drops(DropReason::kIcmpNoHandler), 1u);
  EXPECT_EQ(C().icmp.in_errors_delivered, 0u);
}

TEST_F(IcmpErrorTest, HandlerTakingNoErrors_CountedNoHandler) {
  ErrorRecorder deaf(/*takes_errors=*/false);
  stack_->RegisterHandler(IpProtocol::kUdp, &deaf);
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kPort, OurUdp())));
  EXPECT_EQ(Drops(DropReason::kIcmpNoHandler), 1u);
}

}  // namespace
}  // namespace skiff::testing
