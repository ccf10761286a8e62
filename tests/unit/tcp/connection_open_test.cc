// RFC 9293 §3.10.7 rows for the opening states: CLOSED, SYN-SENT and
// SYN-RECEIVED (active, passive and simultaneous open, option negotiation,
// RST and bad ACKs while opening), driven segment by segment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/connection_segments.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(TcpTest, Closed_Connect_SendsSynWithAllOptions) {
  Make();
  conn->Connect(tuple(), SeqNum(kLocalIss), now());
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
  EXPECT_TRUE(Due());
  EXPECT_THAT(PollOne(), IsSegment(Syn()));
  EXPECT_FALSE(Due());
}

TEST_F(TcpTest, SynSent_SynAck_EstablishedAndAcks) {
  ToSynSent();
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .options = PeerSynOptions(false)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->TakeEvents() & TcpEvent::kConnected, TcpEvent::kConnected);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
  EXPECT_EQ(conn->irs(), SeqNum(kRemoteIss));
  EXPECT_EQ(conn->snd_una(), L(0));
}

TEST_F(TcpTest, SynSent_SynAckWithoutOptions_NothingNegotiated) {
  ToSynSent();
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .window = 1000});
  EXPECT_FALSE(conn->timestamps_enabled());
  EXPECT_FALSE(conn->sack_enabled());
  EXPECT_EQ(conn->snd_wscale(), 0);
  EXPECT_EQ(conn->rcv_wscale(), 0);
  // RFC 9293 §3.7.1: no MSS option means 536.
  EXPECT_EQ(conn->effective_mss(), 536u);
  EXPECT_EQ(conn->snd_wnd(), 1000u);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
}

TEST_F(TcpTest, SynSent_SynAckWithAllOptions_AllNegotiated) {
  ToSynSent();
  TcpOptions o = PeerSynOptions(true);
  o.timestamp = TcpTimestamp{4242, Ts()};
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .window = 1000,
        .options = o});
  EXPECT_TRUE(conn->timestamps_enabled());
  EXPECT_TRUE(conn->sack_enabled());
  EXPECT_EQ(conn->snd_wscale(), 7);
  EXPECT_EQ(conn->rcv_wscale(), 7);
  EXPECT_EQ(conn->snd_wnd(), 1000u);        // a SYN's window is not scaled
  EXPECT_EQ(conn->effective_mss(), 1448u);  // 1460 - 12 for timestamps
  // No window scale on a non-SYN; our window is now scaled: 64 KiB >> 7.
  EXPECT_THAT(PollOne(),
              IsSegment({.ports = kOut,
                         .seq = L(0),
                         .ack = R(0),
                         .flags = kAck,
                         .window = 65536 >> 7,
                         .payload = "",
                         .options = Opts{.mss = std::nullopt,
                                         .wscale = std::nullopt,
                                         .sack_ok = false,
                                         .ts = Stamp{.val = Ts(), .ecr = 4242},
                                         .sack = kNoSack}}));
}

TEST_F(TcpTest, SynSent_TimestampOffset_AppliedAndRttStillRight) {
  Make();
  conn->SetTimestampOffset(0x80000000u);
  conn->Connect(tuple(), SeqNum(kLocalIss), now());
  Sent syn = PollOne();
  ASSERT_TRUE(syn.h.options.timestamp.has_value());
  EXPECT_EQ(syn.h.options.timestamp->tsval, Ts() + 0x80000000u);
  Advance(Duration::Millis(30));
  TcpOptions o = PeerSynOptions(true);
  o.timestamp = TcpTimestamp{4242, syn.h.options.timestamp->tsval};
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .options = o});
  EXPECT_EQ(conn->rtt().srtt(), Duration::Millis(30));
}

TEST_F(TcpTest, SynSent_RstWithAcceptableAck_Refused) {
  ToSynSent();
  Recv({.flags = kRst | kAck, .seq = SeqNum(0), .ack = L(0)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kRefused);
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kError);
  ExpectNothing();
}

TEST_F(TcpTest, SynSent_RstWithoutAck_Ignored) {
  ToSynSent();
  Recv({.flags = kRst, .seq = SeqNum(1)});
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
  EXPECT_EQ(drops[DropReason::kTcpRstInvalid], 1u);
}

TEST_F(TcpTest, SynSent_UnacceptableAck_SendsRst) {
  ToSynSent();
  Recv({.flags = kAck, .seq = SeqNum(77), .ack = SeqNum(kLocalIss + 100)});
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
  EXPECT_THAT(PollOne(), IsSegment(Rst(SeqNum(kLocalIss + 100))));
}

// A peer's TIME-WAIT answers a reused 4-tuple's SYN with an old ACK; our RST
// clears it (RFC 9293 §3.10.7.3), and the SYN-ACK to our retransmitted SYN
// must then open the connection (seen against Linux: the RST must not leave
// the TCB unable to accept it).
TEST_F(TcpTest, SynSent_UnacceptableAckThenSynAckToRetransmit_Established) {
  ToSynSent();
  Recv({.flags = kAck, .seq = SeqNum(77), .ack = SeqNum(kLocalIss + 100)});
  EXPECT_THAT(PollOne(), IsSegment(Rst(SeqNum(kLocalIss + 100))));
  EXPECT_THAT(FireNext(), ElementsAre(IsSegment(Syn())));
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .options = PeerSynOptions(true)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  // The peer's SYN-ACK echoes TSecr 0 (PeerSynOptions): echoed back as 777.
  EXPECT_THAT(PollOne(),
              IsSegment({.ports = kOut,
                         .seq = L(0),
                         .ack = R(0),
                         .flags = kAck,
                         .window = 65536 >> 7,
                         .payload = "",
                         .options = Opts{.mss = std::nullopt,
                                         .wscale = std::nullopt,
                                         .sack_ok = false,
                                         .ts = Stamp{.val = kAny, .ecr = 777},
                                         .sack = kNoSack}}));
}

TEST_F(TcpTest, SynSent_Syn_SimultaneousOpen) {
  ToSynSent();
  Recv({.flags = kSyn,
        .seq = SeqNum(kRemoteIss),
        .options = PeerSynOptions(false)});
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
  EXPECT_THAT(PollOne(), IsSegment(SynAck()));
  // The peer's SYN-ACK (its answer to our SYN) completes it, though its
  // SEQ = IRS is below RCV.NXT (RFC 9293 §3.5 Figure 7 line 6).
  Recv({.flags = kSyn | kAck, .seq = SeqNum(kRemoteIss), .ack = L(0)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_EQ(conn->rcv_nxt(), R(0));
  EXPECT_EQ(conn->snd_una(), L(0));
}

// In SYN-RECEIVED (after our SYN,ACK went out) an unacceptable segment is
// answered with a plain ACK (RFC 9293 §3.10.7.4 first step), not silence.
TEST_F(TcpTest, SynReceived_UnacceptableSegment_AnsweredWithAck) {
  ToSynSent();
  Recv({.flags = kSyn,
        .seq = SeqNum(kRemoteIss),
        .options = PeerSynOptions(false)});
  ASSERT_EQ(conn->state(), TcpState::kSynReceived);
  Poll();                                                  // our SYN,ACK
  Recv({.flags = kAck, .seq = R(0) - 1000, .ack = L(0)});  // old
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
}

TEST_F(TcpTest, SynSent_NoAnswer_SynRetransmittedWithBackoffThenTimesOut) {
  cfg.max_syn_retries = 3;
  ToSynSent();
  Instant sent = now();
  Duration expect = Duration::Seconds(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(conn->NextDeadline() - sent, expect);
    sent = conn->NextDeadline();
    EXPECT_THAT(FireNext(), ElementsAre(IsSegment(Syn())));
    expect = expect * 2;
  }
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
  EXPECT_EQ(conn->stats().timeouts, 3u);
}

TEST_F(TcpTest, SynSent_SynAckAfterSynTimeout_RtoAtLeastThreeSeconds) {
  ToSynSent();
  FireNext();  // SYN retransmitted: Karn forbids a sample from the SYN-ACK
  Recv({.flags = kSyn | kAck, .seq = SeqNum(kRemoteIss), .ack = L(0)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->rto(), Duration::Seconds(3));  // RFC 6298 §5.7
}

TEST_F(TcpTest, SynSent_SynAck_RttSampledFromSyn) {
  ToSynSent();
  Advance(Duration::Millis(50));
  Recv({.flags = kSyn | kAck, .seq = SeqNum(kRemoteIss), .ack = L(0)});
  EXPECT_EQ(conn->rtt().srtt(), Duration::Millis(50));
  EXPECT_EQ(conn->rto(), Duration::Millis(200));  // 50 + 4 * 25 → minimum
}

TEST_F(TcpTest, Closed_AcceptSynWithAllOptions_SynAckEchoesThem) {
  Make();
  TcpRepr syn = Repr({.flags = kSyn,
                      .seq = SeqNum(kRemoteIss),
                      .options = PeerSynOptions(true)});
  conn->AcceptSyn(tuple(), SeqNum(kLocalIss), syn, now());
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
  EXPECT_THAT(PollOne(),
              IsSegment(SynAck(Opts{.mss = 1460,
                                    .wscale = 7,
                                    .sack_ok = true,
                                    .ts = Stamp{.val = Ts(), .ecr = 777},
                                    .sack = kNoSack})));
}

TEST_F(TcpTest, Closed_AcceptSynWithoutOptions_SynAckHasMssOnly) {
  Make();
  TcpRepr syn = Repr({.flags = kSyn, .seq = SeqNum(kRemoteIss)});
  conn->AcceptSyn(tuple(), SeqNum(kLocalIss), syn, now());
  EXPECT_THAT(PollOne(), IsSegment(SynAck()));
}

TEST_F(TcpTest, Closed_AcceptSynWithWsOnly_ScalesBothWays) {
  Make();
  TcpOptions o;
  o.window_scale = 2;
  TcpRepr syn = Repr({.flags = kSyn, .seq = SeqNum(kRemoteIss), .options = o});
  conn->AcceptSyn(tuple(), SeqNum(kLocalIss), syn, now());
  EXPECT_THAT(PollOne(), IsSegment(SynAck(Opts{.mss = 1460,
                                               .wscale = 7,
                                               .sack_ok = false,
                                               .ts = std::nullopt,
                                               .sack = kNoSack})));
  Recv({.ack = L(0), .window = 100});
  EXPECT_EQ(conn->snd_wnd(), 400u);
}

TEST_F(TcpTest, SynReceived_Ack_Established) {
  ToSynReceived();
  Recv({.ack = L(0)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kConnected);
  ExpectNothing();
}

TEST_F(TcpTest, SynReceived_BadAck_SendsRst) {
  ToSynReceived();
  Recv({.ack = L(500)});
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
  EXPECT_THAT(PollOne(), IsSegment(Rst(L(500))));
}

TEST_F(TcpTest, SynReceived_DuplicateSyn_ResendsSynAck) {
  ToSynReceived();
  Recv({.flags = kSyn, .seq = SeqNum(kRemoteIss)});
  EXPECT_THAT(PollOne(), IsSegment(SynAck()));
}

TEST_F(TcpTest, SynReceived_Rst_Closed) {
  ToSynReceived();
  Recv({.flags = kRst, .seq = R(0)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  ExpectNothing();
}

TEST_F(TcpTest, SynReceived_NoAck_SynAckRetransmittedThenGivesUp) {
  cfg.max_synack_retries = 2;  // the SYN-ACK bound (not max_syn_retries)
  ToSynReceived();
  EXPECT_THAT(FireNext(), ElementsAre(FlagsAre(kSyn | kAck)));
  EXPECT_THAT(FireNext(), ElementsAre(FlagsAre(kSyn | kAck)));
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
}

TEST_F(TcpTest, SynReceived_DataWithAck_EstablishedAndDelivered) {
  ToSynReceived();
  Recv({.flags = kAck | kPsh, .payload = "hello"});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(ReadAll(), "hello");
}

TEST_F(TcpTest, SynSent_SendQueued_SentOnceEstablished) {
  ToSynSent();
  EXPECT_EQ(Write("early"), 5u);
  ExpectNothing();
  Recv({.flags = kSyn | kAck, .seq = SeqNum(kRemoteIss), .ack = L(0)});
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = L(0),
                                    .ack = R(0),
                                    .flags = kAck | kPsh,
                                    .window = 65535,
                                    .payload = "early",
                                    .options = kNoOptions}));
}

TEST_F(TcpTest, Closed_Segment_AnsweredWithRst) {
  Make();
  Recv({.flags = kAck, .seq = R(0), .ack = L(9)});
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(9)), FlagsAre(kRst)));
  Recv({.flags = kSyn, .seq = SeqNum(kRemoteIss)});
  EXPECT_THAT(PollOne(),
              AllOf(SeqIs(SeqNum(0)), AckIs(R(0)), FlagsAre(kRst | kAck)));
  Recv({.flags = kRst, .seq = R(0)});
  ExpectNothing();
}

TEST_F(TcpTest, Closed_Send_NotConnected) {
  Make();
  EXPECT_EQ(conn->Send(AsBytes("x", 1)).error(), SendError::kNotConnected);
}

TEST_F(TcpTest, SynSent_SegmentWithoutSynOrAck_Dropped) {
  ToSynSent();
  Recv({.flags = kPsh, .seq = R(0), .payload = "x"});
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
  EXPECT_EQ(drops[DropReason::kTcpBadFlags], 1u);
  ExpectNothing();
}

TEST_F(TcpTest, SynReceived_SegmentWithoutAck_Dropped) {
  ToSynReceived();
  Recv({.flags = kPsh, .seq = R(0), .payload = "x"});
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
  EXPECT_EQ(drops[DropReason::kTcpBadFlags], 1u);
}

TEST_F(TcpTest, SynReceived_Shutdown_FinAfterHandshake) {
  ToSynReceived();
  conn->Shutdown();
  ExpectNothing();
  Recv({.ack = L(0)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait1);
  EXPECT_THAT(PollOne(), IsSegment(Fin(L(0), R(0))));
}

}  // namespace
}  // namespace skiff::testing
