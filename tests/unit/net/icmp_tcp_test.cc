// ICMP errors reaching TCP through the whole StackCore: real frames in through
// a TestChannel, quoting the segments the stack really sent (RFC 1122
// §4.2.3.9, RFC 5927 §4.1, RFC 1191).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "stack/sockets/socket_api.h"
#include "stack/wire/tcp.h"
#include "tests/unit/net/icmp_frames.h"
#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {
namespace {

class EventLog final : public TcpEventHandler {
 public:
  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (s == socket) events |= ev;
  }
  SocketId socket;
  uint8_t events = 0;
};

// The TCP header of one of our frames.
TcpRepr TcpOf(const Bytes& frame) {
  DropReason why{};
  auto v = TcpView::Parse(ConstByteSpan(frame).subspan(34), &why);
  EXPECT_TRUE(v.has_value());
  auto h = v ? TcpRepr::FromView(*v, &why) : std::nullopt;
  EXPECT_TRUE(h.has_value());
  return h.value_or(TcpRepr{});
}

class IcmpTcpTest : public NetTest {
 protected:
  void SetUp() override {
    NetTest::SetUp();
    Make();
    stack_->SetEventHandler(&log_);
    LearnPeer();
  }

  // Active open to the peer's port 80; returns our SYN frame.
  Bytes Connect() {
    ConnectResult r = stack_->Connect(kPeerIp, 80);
    EXPECT_TRUE(r.ok());
    socket_ = log_.socket = r.value();
    Advance(Duration());
    auto sent = Sent();
    EXPECT_EQ(sent.size(), 1u);
    if (sent.empty()) return {};
    syn_ = TcpOf(sent[0]);
    EXPECT_EQ(syn_.flags, TcpFlag::kSyn);
    return sent[0];
  }

  // The peer's SYN-ACK (MSS 1460, no other option) completes the open.
  void Establish() {
    Connect();
    TcpRepr h{.src_port = 80,
              .dst_port = syn_.src_port,
              .seq = SeqNum(5000),
              .ack = syn_.seq + 1,
              .flags = TcpFlag::kSyn | TcpFlag::kAck,
              .window = 65535};
    h.options.mss = 1460;
    Bytes seg(h.header_len());
    h.Emit(seg.data());
    TcpFillChecksum(seg, kPeerIp, kOurIp);
    Receive(Ipv4Frame(PeerToUs(IpProtocol::kTcp), seg));
    ASSERT_TRUE(log_.events & TcpEvent::kConnected);
    Sent();  // our ACK
  }

  Connection& conn() { return *stack_->Find(socket_); }

  EventLog log_;
  SocketId socket_;
  TcpRepr syn_;
};

TEST_F(IcmpTcpTest, SynSent_PortUnreachableFrame_ConnectFailsUnreachable) {
  const Bytes syn = Connect();
  log_.events = 0;
  // What nftables' "reject with icmp type port-unreachable" sends back.
  Receive(
      IcmpFrom(kPeerIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                     IcmpUnreachCode::kPort, QuoteOf(syn))));
  EXPECT_EQ(log_.events, TcpEvent::kClosed | TcpEvent::kError);
  ASSERT_NE(stack_->Find(socket_), nullptr);  // until the app lets go
  EXPECT_EQ(conn().state(), TcpState::kClosed);
  EXPECT_EQ(conn().error(), ConnectionError::kUnreachable);
  EXPECT_EQ(C().icmp.in_errors_delivered, 1u);
  EXPECT_EQ(C().tcp.icmp_errors_in, 1u);
  EXPECT_EQ(C().tcp.attempt_fails, 0u);  // counted when freed
  EXPECT_EQ(TotalDrops(), 0u);
  // No more SYNs, no RST.
  Advance(Duration::Seconds(10));
  EXPECT_TRUE(Sent().empty());
  stack_->Close(socket_);
  Advance(Duration());
  EXPECT_EQ(C().tcp.connections, 0u);
  EXPECT_EQ(C().tcp.attempt_fails, 1u);
}

TEST_F(IcmpTcpTest, SynSent_WholeSynQuoted_SameOutcome) {
  const Bytes syn = Connect();
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kAdminProhibited,
                                            QuoteOf(syn, 1500))));
  EXPECT_EQ(conn().error(), ConnectionError::kUnreachable);
}

TEST_F(IcmpTcpTest, SynSent_QuotedSeqNotOurs_RejectedAndCounted) {
  Bytes quote = QuoteOf(Connect());
  StoreBe32(&quote[24], LoadBe32(&quote[24]) + 12345);  // a blind guess
  Receive(IcmpFrom(kPeerIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                         IcmpUnreachCode::kPort, quote)));
  EXPECT_EQ(conn().state(), TcpState::kSynSent);
  EXPECT_EQ(log_.events, 0);
  EXPECT_EQ(C().tcp.icmp_errors_rejected, 1u);
  EXPECT_EQ(C().tcp.icmp_errors_in, 0u);
  EXPECT_EQ(Drops(DropReason::kIcmpOutOfWindow), 1u);
}

TEST_F(IcmpTcpTest, SynSent_QuotedPortsMatchNoConnection_Counted) {
  Bytes quote = QuoteOf(Connect());
  StoreBe16(&quote[20], LoadBe16(&quote[20]) + 1);  // another local port
  Receive(IcmpFrom(kPeerIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                         IcmpUnreachCode::kPort, quote)));
  EXPECT_EQ(conn().state(), TcpState::kSynSent);
  EXPECT_EQ(Drops(DropReason::kIcmpNoSocket), 1u);
}

TEST_F(IcmpTcpTest, SynSent_HostUnreachableFrame_SoftTheSynIsRetried) {
  const Bytes syn = Connect();
  Receive(
      IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                        IcmpUnreachCode::kHost, QuoteOf(syn))));
  EXPECT_EQ(conn().state(), TcpState::kSynSent);
  EXPECT_EQ(C().tcp.icmp_errors_in, 1u);
  Advance(Duration::Millis(1500));  // past the initial 1 s RTO
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(TcpOf(sent[0]).flags, TcpFlag::kSyn);
}

TEST_F(IcmpTcpTest, Established_FragNeededFrame_ResentInSmallerSegments) {
  Establish();
  conn().SetNoDelay(true);
  const std::string data(4000, 'd');
  ASSERT_EQ(stack_->Send(socket_, AsBytes(data.data(), data.size())).value(),
            4000u);
  Advance(Duration());
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].size(), 14u + 1500);
  // A router with a 1000-byte next hop drops the first and says so.
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kFragNeeded,
                                            QuoteOf(sent[0]), 1000)));
  EXPECT_EQ(C().tcp.pmtu_mss_lowered, 1u);
  EXPECT_EQ(conn().effective_mss(), 960u);
  sent = Sent();  // resent in the same turn
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(TcpOf(sent[0]).seq, syn_.seq + 1);  // from SND.UNA
  for (const Bytes& f : sent) {
    EXPECT_LE(LoadBe16(f.data() + 14 + 2), 1000) << "IPv4 total length";
  }
  EXPECT_EQ(LoadBe16(sent[0].data() + 14 + 2), 1000);
}

TEST_F(IcmpTcpTest, Established_ErrorAboutPureAck_Rejected) {
  Establish();
  // Nothing in flight: SND.UNA == SND.NXT, no quote can be in the window.
  TcpRepr ack{.src_port = syn_.src_port,
              .dst_port = 80,
              .seq = syn_.seq + 1,
              .ack = SeqNum(5001),
              .flags = TcpFlag::kAck,
              .window = 1000};
  Bytes seg(ack.header_len());
  ack.Emit(seg.data());
  Ipv4Repr ip{.src = kOurIp, .dst = kPeerIp, .protocol = IpProtocol::kTcp};
  ip.payload_len = static_cast<uint16_t>(seg.size());
  Bytes quote(20 + seg.size());
  ip.Emit(quote.data(), true);
  std::copy(seg.begin(), seg.end(), quote.begin() + 20);
  Receive(IcmpFrom(kGatewayIp, IcmpErrorMsg(IcmpType::kDestUnreachable,
                                            IcmpUnreachCode::kPort, quote)));
  EXPECT_EQ(conn().state(), TcpState::kEstablished);
  EXPECT_EQ(C().tcp.icmp_errors_rejected, 1u);
}

TEST_F(IcmpTcpTest, SynReceived_HostUnreachable_HalfOpenSlotFreed) {
  ASSERT_TRUE(stack_->Listen(80, /*backlog=*/1).ok());
  // A SYN whose source cannot be reached (a spoofed one, under a flood).
  TcpRepr syn{.src_port = 40000,
              .dst_port = 80,
              .seq = SeqNum(7000),
              .flags = TcpFlag::kSyn,
              .window = 65535};
  Bytes seg(syn.header_len());
  syn.Emit(seg.data());
  TcpFillChecksum(seg, kPeerIp, kOurIp);
  Receive(Ipv4Frame(PeerToUs(IpProtocol::kTcp), seg));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(TcpOf(sent[0]).flags, TcpFlag::kSyn | TcpFlag::kAck);
  ASSERT_EQ(C().tcp.connections, 1u);
  Receive(IcmpFrom(kGatewayIp,
                   IcmpErrorMsg(IcmpType::kDestUnreachable,
                                IcmpUnreachCode::kHost, QuoteOf(sent[0]))));
  EXPECT_EQ(C().tcp.connections, 0u);  // no SYN-ACK retries, slot free
  EXPECT_TRUE(Sent().empty());         // and no RST
  // The queue (backlog 1) takes the next SYN.
  syn.src_port = 40001;
  syn.Emit(seg.data());
  TcpFillChecksum(seg, kPeerIp, kOurIp);
  Receive(Ipv4Frame(PeerToUs(IpProtocol::kTcp), seg));
  EXPECT_EQ(C().tcp.connections, 1u);
  EXPECT_EQ(Drops(DropReason::kTcpSynQueueFull), 0u);
}

}  // namespace
}  // namespace skiff::testing
