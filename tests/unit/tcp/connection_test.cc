// RFC 9293 §3.10.7 state × event rows, driven segment by segment.
#include "stack/tcp/connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr uint8_t kSyn = TcpFlag::kSyn;
constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kFin = TcpFlag::kFin;
constexpr uint8_t kRst = TcpFlag::kRst;
constexpr uint8_t kPsh = TcpFlag::kPsh;

// Our SYN (Connect): every option we support, TSecr 0 (RFC 7323 §3.2).
const Opts kSynOptions{.mss = 1460,
                       .wscale = 7,
                       .sack_ok = true,
                       .ts = Stamp{.val = kAny, .ecr = 0},
                       .sack = kNoSack};
// Our SYN-ACK to a peer that offered MSS alone: nothing else negotiated.
const Opts kMssOnly{.mss = 1460,
                    .wscale = std::nullopt,
                    .sack_ok = false,
                    .ts = std::nullopt,
                    .sack = kNoSack};

// The segments of a connection that negotiated no options (the harness's
// default peer), window 65,535 (64 KiB, unscaled, capped) until the peer
// sends: the right edge then stays at R(65535) (RCV.WND shrinks by what
// arrived, a FIN included, until a read frees a full MSS: receiver SWS
// avoidance, RFC 9293 §3.8.6.2.2), hence kWndAfterFin.
constexpr uint16_t kWndAfterFin = 65534;
// <SEQ=seq><ACK=ack><CTL=ACK>,
Seg PlainAck(SeqNum seq, SeqNum ack, uint16_t window = 65535) {
  return {.ports = kOut,
          .seq = seq,
          .ack = ack,
          .flags = kAck,
          .window = window,
          .payload = "",
          .options = kNoOptions};
}
// data at `seq` acknowledging the peer's SYN and nothing more,
Seg Data(SeqNum seq, std::string bytes, uint8_t flags = kAck) {
  return {.ports = kOut,
          .seq = seq,
          .ack = R(0),
          .flags = flags,
          .window = 65535,
          .payload = std::move(bytes),
          .options = kNoOptions};
}
// our FIN, no data,
Seg Fin(SeqNum seq, SeqNum ack, uint16_t window = 65535) {
  return {.ports = kOut,
          .seq = seq,
          .ack = ack,
          .flags = kAck | kFin,
          .window = window,
          .payload = "",
          .options = kNoOptions};
}
// and a RST in answer to a segment: <SEQ=seq><CTL=RST>, zero window.
Seg Rst(SeqNum seq) {
  return {.ports = kOut,
          .seq = seq,
          .ack = SeqNum(0),
          .flags = kRst,
          .window = 0,
          .payload = "",
          .options = kNoOptions};
}

// ---------------------------------------------------------------- opening

TEST_F(TcpTest, Closed_Connect_SendsSynWithAllOptions) {
  Make();
  conn->Connect(tuple(), SeqNum(kLocalIss), now());
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
  EXPECT_TRUE(Due());
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = SeqNum(kLocalIss),
                                    .ack = SeqNum(0),
                                    .flags = kSyn,
                                    .window = 65535,
                                    .payload = "",
                                    .options = kSynOptions}));
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
  EXPECT_THAT(FireNext(), ElementsAre(IsSegment({.ports = kOut,
                                                 .seq = SeqNum(kLocalIss),
                                                 .ack = SeqNum(0),
                                                 .flags = kSyn,
                                                 .window = 65535,
                                                 .payload = "",
                                                 .options = kSynOptions})));
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
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = SeqNum(kLocalIss),
                                    .ack = R(0),
                                    .flags = kSyn | kAck,
                                    .window = 65535,
                                    .payload = "",
                                    .options = kMssOnly}));
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
    EXPECT_THAT(FireNext(), ElementsAre(IsSegment({.ports = kOut,
                                                   .seq = SeqNum(kLocalIss),
                                                   .ack = SeqNum(0),
                                                   .flags = kSyn,
                                                   .window = 65535,
                                                   .payload = "",
                                                   .options = kSynOptions})));
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
              IsSegment({.ports = kOut,
                         .seq = SeqNum(kLocalIss),
                         .ack = R(0),
                         .flags = kSyn | kAck,
                         .window = 65535,
                         .payload = "",
                         .options = Opts{.mss = 1460,
                                         .wscale = 7,
                                         .sack_ok = true,
                                         .ts = Stamp{.val = Ts(), .ecr = 777},
                                         .sack = kNoSack}}));
}

TEST_F(TcpTest, Closed_AcceptSynWithoutOptions_SynAckHasMssOnly) {
  Make();
  TcpRepr syn = Repr({.flags = kSyn, .seq = SeqNum(kRemoteIss)});
  conn->AcceptSyn(tuple(), SeqNum(kLocalIss), syn, now());
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = SeqNum(kLocalIss),
                                    .ack = R(0),
                                    .flags = kSyn | kAck,
                                    .window = 65535,
                                    .payload = "",
                                    .options = kMssOnly}));
}

TEST_F(TcpTest, Closed_AcceptSynWithWsOnly_ScalesBothWays) {
  Make();
  TcpOptions o;
  o.window_scale = 2;
  TcpRepr syn = Repr({.flags = kSyn, .seq = SeqNum(kRemoteIss), .options = o});
  conn->AcceptSyn(tuple(), SeqNum(kLocalIss), syn, now());
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = SeqNum(kLocalIss),
                                    .ack = R(0),
                                    .flags = kSyn | kAck,
                                    .window = 65535,
                                    .payload = "",
                                    .options = Opts{.mss = 1460,
                                                    .wscale = 7,
                                                    .sack_ok = false,
                                                    .ts = std::nullopt,
                                                    .sack = kNoSack}}));
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
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = SeqNum(kLocalIss),
                                    .ack = R(0),
                                    .flags = kSyn | kAck,
                                    .window = 65535,
                                    .payload = "",
                                    .options = kMssOnly}));
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

// ------------------------------------------------------------ established

TEST_F(TcpTest, Established_Data_AckDelayedUntilTimer) {
  ToEstablished();
  Recv({.flags = kAck | kPsh, .payload = "abc"});
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kReadable);
  ExpectNothing();
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Millis(40));
  Advance(Duration::Millis(39));
  ExpectNothing();
  Advance(Duration::Millis(1));
  // The 3 unread bytes are off the advertised window.
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = L(0),
                                    .ack = R(3),
                                    .flags = kAck,
                                    .window = 65535 - 3,
                                    .payload = "",
                                    .options = kNoOptions}));
  EXPECT_EQ(ReadAll(), "abc");
}

TEST_F(TcpTest, Established_SecondFullSegment_AckedAtOnce) {
  ToEstablished();
  std::string seg(1460, 'x');
  Recv({.seq = R(0), .payload = seg});
  ExpectNothing();
  Recv({.seq = R(1460), .payload = seg});
  EXPECT_THAT(PollOne(), AckIs(R(2920)));
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
}

TEST_F(TcpTest, Established_SegmentBeyondWindow_AckedAndDropped) {
  cfg.recv_buffer_size = 1000;
  ToEstablished();
  Recv({.seq = R(5000), .payload = "zzz"});
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = L(0),
                                    .ack = R(0),
                                    .flags = kAck,
                                    .window = 1000,
                                    .payload = "",
                                    .options = kNoOptions}));
  EXPECT_EQ(drops[DropReason::kTcpOutOfWindow], 1u);
  EXPECT_EQ(conn->recv_queued(), 0u);
}

TEST_F(TcpTest, Established_OldDuplicate_AckedAndDropped) {
  ToEstablished();
  Recv({.seq = R(0), .payload = "abc"});
  Recv({.seq = R(0), .payload = "abc"});
  EXPECT_THAT(PollOne(), AckIs(R(3)));
  EXPECT_EQ(ReadAll(), "abc");
}

TEST_F(TcpTest, Established_OverlappingSegment_TrimmedFront) {
  ToEstablished();
  Recv({.seq = R(0), .payload = "abc"});
  Recv({.seq = R(1), .payload = "bcdef"});
  EXPECT_EQ(ReadAll(), "abcdef");
}

TEST_F(TcpTest, Established_RstAtRcvNxt_Reset) {
  ToEstablished();
  Recv({.flags = kRst, .seq = R(0)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kReset);
  char b[4];
  EXPECT_EQ(conn->Recv(ByteSpan(reinterpret_cast<std::byte*>(b), 4)).error(),
            RecvError::kReset);
  EXPECT_EQ(conn->Send(AsBytes("x", 1)).error(), SendError::kClosed);
  ExpectNothing();
}

TEST_F(TcpTest, Established_RstInWindow_ChallengeAck) {
  ToEstablished();
  Recv({.flags = kRst, .seq = R(100)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
}

TEST_F(TcpTest, Established_ChallengeAckStorm_RateLimited) {
  ToEstablished();
  Recv({.flags = kRst, .seq = R(100)});
  Recv({.flags = kRst, .seq = R(200)});
  Recv({.flags = kSyn, .seq = R(300)});
  EXPECT_THAT(Poll(), SizeIs(1));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
  EXPECT_EQ(conn->stats().invalid_acks_limited, 2u);
  Advance(cfg.invalid_ack_interval);
  Recv({.flags = kRst, .seq = R(100)});
  EXPECT_THAT(Poll(), SizeIs(1));
  // Data segments are always answered: they cannot form an ACK loop.
  Recv({.seq = R(0) - 10, .payload = "old"});
  EXPECT_THAT(Poll(), SizeIs(1));
}

TEST_F(TcpTest, Established_ProbesInQuickSuccession_AllAnswered) {
  ToEstablished();
  Recv({.seq = R(0) - 1, .ack = L(0)});
  Recv({.seq = R(0) - 1, .ack = L(0)});
  EXPECT_THAT(Poll(), SizeIs(1));
  Advance(Duration::Millis(200));
  Recv({.seq = R(0) - 1, .ack = L(0)});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
  EXPECT_EQ(conn->stats().invalid_acks_limited, 0u);
}

TEST_F(TcpTest, Established_RstOutOfWindow_Dropped) {
  ToEstablished();
  Recv({.flags = kRst, .seq = R(10'000'000)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  ExpectNothing();
  EXPECT_EQ(drops[DropReason::kTcpOutOfWindow], 1u);
}

TEST_F(TcpTest, Established_SynInWindow_ChallengeAck) {
  ToEstablished();
  Recv({.flags = kSyn, .seq = R(10)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
}

TEST_F(TcpTest, Established_AckTooOld_ChallengeAck) {
  ToEstablished();
  Recv({.seq = R(0), .ack = SeqNum(kLocalIss - 200'000)});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
  EXPECT_EQ(drops[DropReason::kTcpBadAck], 1u);
}

TEST_F(TcpTest, Established_AckOfUnsentData_AckedAndDropped) {
  ToEstablished();
  Recv({.seq = R(0), .ack = L(100), .payload = "data"});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(0), R(0))));
  EXPECT_EQ(conn->recv_queued(), 0u);
  EXPECT_EQ(drops[DropReason::kTcpBadAck], 1u);
}

TEST_F(TcpTest, Established_Send_SegmentsOfMss) {
  ToEstablished();
  std::string data(3000, 'd');
  EXPECT_EQ(Write(data), 3000u);
  // Nagle holds the 80-byte tail while full segments are in flight.
  EXPECT_THAT(Poll(),
              ElementsAre(IsSegment(Data(L(0), std::string(1460, 'd'))),
                          IsSegment(Data(L(1460), std::string(1460, 'd')))));
  EXPECT_EQ(conn->NextDeadline(), now() + conn->rto());
  Recv({.ack = L(2920)});
  EXPECT_THAT(
      Poll(),
      ElementsAre(IsSegment(Data(L(2920), std::string(80, 'd'), kAck | kPsh))));
  Recv({.ack = L(3000)});
  EXPECT_EQ(conn->snd_una(), L(3000));
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kWritable);
}

TEST_F(TcpTest, Established_PeerMss536_Honoured) {
  Make();
  TcpOptions o;
  o.mss = 536;
  conn->AcceptSyn(
      tuple(), SeqNum(kLocalIss),
      Repr({.flags = kSyn, .seq = SeqNum(kRemoteIss), .options = o}), now());
  Poll();
  Recv({.ack = L(0)});
  conn->SetNoDelay(true);
  Write(std::string(1000, 'm'));
  EXPECT_THAT(Poll(), ElementsAre(PayloadLenIs(536), PayloadLenIs(464)));
}

TEST_F(TcpTest, Established_PeerWindowShrinks_SwsAvoidedUntilPersist) {
  ToEstablished();
  Recv({.ack = L(0), .window = 1000});
  Write(std::string(3000, 'w'));
  // 1000 bytes is under half the largest window seen (65535): sender SWS
  // avoidance (RFC 1122 §4.2.3.4) waits, the persist timer overrides it.
  ExpectNothing();
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(0)), PayloadLenIs(1000))));
  conn->SetNoDelay(true);
  Recv({.ack = L(1000), .window = 2000});
  EXPECT_THAT(Poll(), ElementsAre(PayloadLenIs(1460), PayloadLenIs(540)));
}

TEST_F(TcpTest, Established_ReorderedOlderAck_WindowNotUpdated) {
  ToEstablished();
  conn->SetNoDelay(true);
  Write(std::string(3000, 'o'));
  Poll();
  Recv({.ack = L(2000), .window = 4000});
  EXPECT_EQ(conn->snd_wnd(), 4000u);
  // An older ACK overtaken by the newer one (SND.WL2 rule).
  Recv({.ack = L(1000), .window = 100});
  EXPECT_EQ(conn->snd_wnd(), 4000u);
  // Same SEQ and ACK: WL1 == SEQ and WL2 =< ACK, so it updates.
  Recv({.ack = L(2000), .window = 5000});
  EXPECT_EQ(conn->snd_wnd(), 5000u);
}

TEST_F(TcpTest, Established_Nagle_HoldsSmallSegmentUntilAck) {
  ToEstablished();
  Write("a");
  EXPECT_THAT(PollOne(), PayloadIs("a"));
  Write("b");
  Write("c");
  ExpectNothing();  // one small segment in flight
  Recv({.ack = L(1)});
  EXPECT_THAT(PollOne(), IsSegment(Data(L(1), "bc", kAck | kPsh)));
}

TEST_F(TcpTest, Established_NagleHolds_NoOutputDueUntilAck) {
  ToEstablished();
  Write("a");
  EXPECT_TRUE(Due());
  Poll();
  EXPECT_FALSE(Due());
  Write("b");
  EXPECT_FALSE(Due());  // off the pending list
  Recv({.ack = L(1)});
  EXPECT_TRUE(Due());
}

// The persist timer is armed by the call that needs it, not by a turn on
// the pending list with nothing to send.
TEST_F(TcpTest, Established_SendIntoZeroWindow_ArmsPersistWithoutATurn) {
  ToEstablished();
  Recv({.ack = L(0), .window = 0});
  EXPECT_FALSE(Due());
  Write("x");
  EXPECT_FALSE(Due());
  EXPECT_EQ(conn->NextDeadline(), now() + conn->rto());
  ExpectNothing();
}

// The peer's window closed below what we sent (it dropped the segment that
// arrived after its buffer filled): our ACKs must carry a sequence number
// its zero window accepts (RCV.NXT, RFC 9293 §3.10.7.4), else it ignores
// their ACK field, never learns its own data arrived and times out a live
// connection (seeded simulation seeds 435, 915). Linux: tcp_acceptable_seq.
TEST_F(TcpTest, Established_WindowClosedBelowSndNxt_AckAtWindowEdge) {
  ToEstablished();
  Write("0123456789");
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), PayloadIs("0123456789")));
  Recv({.ack = L(0), .window = 0});  // full: our 10 bytes were dropped
  Recv({.seq = R(0), .ack = L(0), .window = 0, .payload = "data"});
  // The (delayed) ACK: at the peer's window edge, not at SND.NXT = L(10).
  EXPECT_THAT(FireNext(),
              ElementsAre(IsSegment(PlainAck(L(0), R(4), 65535 - 4))));
  Recv({.ack = L(4), .window = 1000});  // open again, 4 bytes taken
  Recv({.seq = R(4), .ack = L(4), .window = 1000, .payload = "more"});
  // The window open again: the unacknowledged 6 bytes go out, with the ACK.
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(4)), AckIs(R(8)),
                                            PayloadIs("456789"))));
}

TEST_F(TcpTest, Established_NoDelay_SendsEachSmallWrite) {
  ToEstablished();
  conn->SetNoDelay(true);
  Write("a");
  EXPECT_THAT(PollOne(), PayloadIs("a"));
  Write("b");
  EXPECT_THAT(PollOne(), IsSegment(Data(L(1), "b", kAck | kPsh)));
}

TEST_F(TcpTest, Established_Unacked_RetransmitsWithBackoffThenTimesOut) {
  cfg.max_data_retries = 3;
  ToEstablished();
  Write("hello");
  EXPECT_THAT(PollOne(), PayloadIs("hello"));
  Instant sent = now();
  Duration rto = conn->rto();  // 200 ms: the handshake took no time
  EXPECT_EQ(rto, cfg.rto_min);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(conn->NextDeadline() - sent, rto);
    sent = conn->NextDeadline();
    EXPECT_THAT(FireNext(),
                ElementsAre(IsSegment(Data(L(0), "hello", kAck | kPsh))));
    rto = rto * 2;
  }
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
  EXPECT_EQ(conn->stats().retransmits, 3u);
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, Established_AckAfterTimeout_BackoffReset) {
  ToEstablished();
  Write("hello");
  Poll();
  const Duration srtt = conn->rtt().srtt();
  Advance(Duration::Millis(150));
  FireNext();  // retransmission, RTO doubled
  EXPECT_EQ(conn->rto(), cfg.rto_min * 2);
  Advance(Duration::Millis(50));
  Recv({.ack = L(5)});
  EXPECT_EQ(conn->rtt().backoffs(), 0);
  EXPECT_EQ(conn->rto(), cfg.rto_min);
  // Karn: the ambiguous sample was not taken.
  EXPECT_EQ(conn->rtt().srtt(), srtt);
}

// After a timeout SND.NXT is back at SND.UNA (go-back-N) but the peer may
// hold data up to SND.MAX: a pure ACK carries SEQ = SND.MAX, which the
// peer's acceptability test passes, not SND.NXT, which it would drop
// (Linux tcp_acceptable_seq).
TEST_F(TcpTest, Established_PureAckInRecovery_SeqIsSndMax) {
  ToEstablished();
  conn->SetNoDelay(true);
  Write(std::string(3000, 'x'));
  EXPECT_EQ(Poll().size(), 3u);                              // 1460 + 1460 + 80
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(0)))));  // RTO
  EXPECT_EQ(conn->snd_nxt(), L(1460));
  Recv({.seq = R(10), .ack = L(0), .payload = "hi"});  // out of order
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(3000), R(0))));
}

TEST_F(TcpTest, Established_AckOfTimedSegment_RttSampled) {
  ToEstablished();
  Write("hello");
  Poll();
  Advance(Duration::Millis(100));
  Recv({.ack = L(5)});
  EXPECT_TRUE(conn->rtt().has_sample());
  // The handshake gave a first sample of 0; RFC 6298 §2.3 then:
  // SRTT = 7/8 * 0 + 1/8 * 100 ms, RTTVAR = 3/4 * 0 + 1/4 * 100 ms.
  EXPECT_EQ(conn->rtt().srtt(), Duration::Micros(12500));
  EXPECT_EQ(conn->rtt().rttvar(), Duration::Millis(25));
  // RTO = 12.5 + 4 * 25 = 112.5 ms, raised to the 200 ms minimum.
  EXPECT_EQ(conn->rto(), Duration::Millis(200));
  Advance(Duration::Millis(10));
  Write("x");
  Poll();
  Advance(Duration::Millis(1000));
  Recv({.ack = L(6)});
  EXPECT_GT(conn->rto(), Duration::Millis(200));
}

TEST_F(TcpTest, Established_ThreeDupAcks_FastRetransmitThenNewRenoRecovery) {
  ToEstablished();
  conn->SetNoDelay(true);
  // Ten segments; the peer's window is plenty, cwnd is 10 segments.
  std::string data(14600, 'n');
  Write(data);
  EXPECT_THAT(Poll(), SizeIs(10));
  const uint32_t cwnd0 = conn->cwnd();
  // Segments 0 and 3 lost: ACKs for 1, 2 show as dupacks of L(0).
  Recv({.ack = L(0)});
  Recv({.ack = L(0)});
  ExpectNothing();
  Recv({.ack = L(0)});
  EXPECT_EQ(conn->stats().dup_acks, 3u);
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), PayloadLenIs(1460)));
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);
  EXPECT_EQ(conn->ssthresh(), cwnd0 / 2);
  // Partial ACK (up to the second hole at segment 3): resend it at once.
  Recv({.ack = L(3 * 1460)});
  EXPECT_THAT(Poll(), ::testing::Contains(SeqIs(L(3 * 1460))));
  // Full ACK: recovery ends with cwnd deflated to at most ssthresh.
  Recv({.ack = L(14600)});
  EXPECT_LE(conn->cwnd(), conn->ssthresh());
}

TEST_F(TcpTest, Established_ZeroWindow_PersistProbesWithBackoff) {
  ToEstablished();
  Recv({.ack = L(0), .window = 0});
  Write("blocked");
  ExpectNothing();
  const Instant t0 = now();
  const Duration rto = conn->rto();
  EXPECT_EQ(conn->NextDeadline(), t0 + rto);
  EXPECT_THAT(FireNext(), ElementsAre(IsSegment(PlainAck(L(0) - 1, R(0)))));
  EXPECT_EQ(conn->NextDeadline(), t0 + rto * 3);  // backed off: 2 * rto
  EXPECT_THAT(FireNext(), ElementsAre(SeqIs(L(0) - 1)));
  EXPECT_EQ(conn->NextDeadline(), t0 + rto * 7);
  EXPECT_EQ(conn->stats().zero_window_probes, 2u);
  // The window opens: data flows, persist stops.
  Recv({.ack = L(0), .window = 1000});
  EXPECT_THAT(PollOne(), IsSegment(Data(L(0), "blocked", kAck | kPsh)));
  EXPECT_EQ(conn->NextDeadline(), now() + rto);  // RTO
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
}

TEST_F(TcpTest, Established_OutOfOrder_ReassembledWithSackBlocks) {
  cfg.sack = true;
  ToEstablished(/*full_options=*/true);
  Recv({.seq = R(10),
        .payload = "klm",
        .options = {.timestamp = TcpTimestamp{800, 0}}});
  EXPECT_THAT(
      PollOne(),
      AllOf(AckIs(R(0)), SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{
                             {R(10), R(13)}})));
  Recv({.seq = R(5),
        .payload = "fgh",
        .options = {.timestamp = TcpTimestamp{801, 0}}});
  EXPECT_THAT(PollOne(), SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{
                             {R(5), R(8)}, {R(10), R(13)}}));
  EXPECT_EQ(conn->stats().out_of_order, 2u);
  EXPECT_EQ(conn->recv_queued(), 0u);
  Recv({.seq = R(0),
        .payload = "abcde",
        .options = {.timestamp = TcpTimestamp{802, 0}}});
  EXPECT_THAT(
      PollOne(),
      AllOf(AckIs(R(8)), SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{
                             {R(10), R(13)}})));
  Recv({.seq = R(8),
        .payload = "ij",
        .options = {.timestamp = TcpTimestamp{803, 0}}});
  EXPECT_THAT(PollOne(),
              AllOf(AckIs(R(13)),
                    SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{})));
  EXPECT_EQ(ReadAll(), "abcdefghijklm");
}

TEST_F(TcpTest, Established_OldTimestamp_PawsRejected) {
  ToEstablished(/*full_options=*/true);
  Recv({.seq = R(0),
        .payload = "new",
        .options = {.timestamp = TcpTimestamp{900, 0}}});
  Poll();
  Recv({.seq = R(3),
        .payload = "old",
        .options = {.timestamp = TcpTimestamp{899, 0}}});
  EXPECT_EQ(drops[DropReason::kTcpPawsReject], 1u);
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(3)), TsEcrIs(900u)));
  EXPECT_EQ(ReadAll(), "new");
}

TEST_F(TcpTest, Established_Fin_CloseWaitAndEof) {
  ToEstablished();
  Recv({.flags = kAck | kFin, .payload = "bye"});
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
  EXPECT_THAT(PollOne(), AckIs(R(4)));
  EXPECT_EQ(ReadAll(), "bye");
  char b[4];
  EXPECT_EQ(conn->Recv(ByteSpan(reinterpret_cast<std::byte*>(b), 4)).error(),
            RecvError::kEof);
}

TEST_F(TcpTest, Established_FinBeyondHole_WaitsForData) {
  ToEstablished();
  Recv({.flags = kAck | kFin, .seq = R(3), .payload = "def"});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_THAT(PollOne(), AckIs(R(0)));
  Recv({.seq = R(0), .payload = "abc"});
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
  EXPECT_THAT(PollOne(), AckIs(R(7)));
  EXPECT_EQ(ReadAll(), "abcdef");
}

TEST_F(TcpTest, Established_ReceiverFull_ZeroWindowThenUpdateOnRead) {
  cfg.recv_buffer_size = 4000;
  ToEstablished();
  Recv({.seq = R(0), .payload = std::string(1460, 'a')});
  Recv({.seq = R(1460), .payload = std::string(1460, 'b')});
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(2920)), WindowIs(1080)));
  Recv({.seq = R(2920), .payload = std::string(1080, 'c')});
  Advance(Duration::Millis(40));
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(4000)), WindowIs(0)));
  // Data at a zero window is dropped, the ACK repeats the zero window.
  Recv({.seq = R(4000), .payload = "x"});
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(4000)), WindowIs(0)));
  EXPECT_EQ(ReadAll().size(), 4000u);
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(4000)), WindowIs(4000)));
}

TEST_F(TcpTest, Established_SmallRead_NoSillyWindowUpdate) {
  cfg.recv_buffer_size = 4000;
  ToEstablished();
  Recv({.seq = R(0), .payload = std::string(1460, 'a')});
  Recv({.seq = R(1460), .payload = std::string(1460, 'b')});
  Recv({.seq = R(2920), .payload = std::string(1080, 'c')});
  Poll();
  char b[10];
  conn->Recv(ByteSpan(reinterpret_cast<std::byte*>(b), 10));
  // 10 bytes free is below min(buffer/2, MSS): keep advertising zero.
  ExpectNothing();
  Recv({.seq = R(3990), .ack = L(0)});  // a probe
  EXPECT_THAT(PollOne(), WindowIs(0));
}

TEST_F(TcpTest, Established_Keepalive_ProbesThenTimesOut) {
  cfg.keepalive_idle = Duration::Seconds(100);
  cfg.keepalive_interval = Duration::Seconds(10);
  cfg.keepalive_count = 2;
  ToEstablished();
  conn->SetKeepAlive(true, now());
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(100));
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(0) - 1), FlagsAre(kAck))));
  // An answer resets the count and the idle time.
  Recv({.ack = L(0)});
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(100));
  EXPECT_THAT(FireNext(), SizeIs(1));
  EXPECT_THAT(FireNext(), SizeIs(1));
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
}

// RFC 1122 §4.2.3.6 keeps idle connections alive in any synchronized state;
// a Shutdown() half-close waits in FIN-WAIT-2 for the peer's data with
// nothing outstanding, so only keepalive finds a peer that went away (found
// by the seeded simulation, tests/unit/stack/sim_seeds_test.cc). Linux
// probes there too.
TEST_F(TcpTest, FinWait2_Keepalive_ProbesThenTimesOut) {
  cfg.keepalive_idle = Duration::Seconds(100);
  cfg.keepalive_interval = Duration::Seconds(10);
  cfg.keepalive_count = 2;
  ToFinWait2();
  conn->SetKeepAlive(true, now());
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(100));
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(1) - 1), FlagsAre(kAck))));
  EXPECT_THAT(FireNext(), SizeIs(1));
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
}

TEST_F(TcpTest, Established_Abort_SendsRst) {
  ToEstablished();
  Write("pending");
  conn->Abort();
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kAborted);
  EXPECT_THAT(PollOne(), IsSegment(Rst(L(0))));
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, Established_CloseWithUnreadData_SendsRst) {
  ToEstablished();
  Recv({.seq = R(0), .payload = "unread"});
  conn->Close();
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_THAT(PollOne(), FlagsAre(kRst));
}

TEST_F(TcpTest, Established_Shutdown_DataThenFin) {
  ToEstablished();
  Write("last words");
  conn->Shutdown();
  EXPECT_EQ(conn->state(), TcpState::kFinWait1);
  EXPECT_EQ(conn->Send(AsBytes("x", 1)).error(), SendError::kClosed);
  EXPECT_THAT(PollOne(),
              IsSegment(Data(L(0), "last words", kAck | kPsh | kFin)));
}

TEST_F(TcpTest, Established_SackedHoles_ResentWithoutWaitingForPartialAck) {
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  const uint32_t m = 1448;  // 1460 - 12 (timestamps)
  Write(std::string(10 * m, 's'));
  ASSERT_THAT(Poll(), SizeIs(10));
  // Segments 0 and 2 are lost; 1, 3, 4, 5 arrive and are SACKed.
  auto dupack = [&](std::vector<std::pair<uint32_t, uint32_t>> blocks) {
    SegSpec d{.ack = L(0)};
    d.options.timestamp = TcpTimestamp{800, Ts()};
    d.options.sack_count = static_cast<uint8_t>(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
      d.options.sack[i] = {L(blocks[i].first * m), L(blocks[i].second * m)};
    }
    Recv(d);
  };
  dupack({{1, 2}});
  dupack({{3, 4}, {1, 2}});
  dupack({{3, 5}, {1, 2}});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(0)), PayloadLenIs(m))));
  // Three segments SACKed above segment 2: lost (RFC 6675 IsLost). It goes
  // on this duplicate ACK, not one RTT later on the partial ACK.
  dupack({{3, 6}, {1, 2}});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(2 * m)), PayloadLenIs(m))));
  EXPECT_EQ(conn->stats().sack_retransmits, 1u);
  // The partial ACK up to the resent hole does not resend SACKed data.
  SegSpec partial{.ack = L(2 * m)};
  partial.options.timestamp = TcpTimestamp{801, Ts()};
  Recv(partial);
  for (const Sent& x : Poll()) {
    EXPECT_FALSE(x.h.seq == L(m) || x.h.seq == L(3 * m)) << x;
  }
}

TEST_F(TcpTest, Established_SackDupAcksWithGrowingWindow_FastRetransmit) {
  // A receiver that keeps reading opens its window in every duplicate ACK;
  // with SACK, new SACKed data still makes them duplicates (RFC 6675 §2).
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  const uint32_t m = 1448;
  Write(std::string(8 * m, 'g'));
  ASSERT_THAT(Poll(), SizeIs(8));
  for (uint32_t i = 1; i <= 3; ++i) {
    SegSpec d{.ack = L(0), .window = static_cast<uint16_t>(500 + i)};
    d.options.timestamp = TcpTimestamp{800, Ts()};
    d.options.sack_count = 1;
    d.options.sack[0] = {L(m), L((i + 1) * m)};
    Recv(d);
  }
  EXPECT_EQ(conn->stats().dup_acks, 3u);
  EXPECT_THAT(Poll(), ::testing::Contains(AllOf(SeqIs(L(0)), PayloadLenIs(m))));
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);
}

TEST_F(TcpTest, Established_AckWithWindowChangeNoSack_NotDuplicate) {
  ToEstablished();
  conn->SetNoDelay(true);
  Write(std::string(5000, 'g'));
  Poll();
  for (uint16_t w = 1000; w < 1004; ++w) Recv({.ack = L(0), .window = w});
  EXPECT_EQ(conn->stats().dup_acks, 0u);  // RFC 5681 §2: window changed
}

TEST_F(TcpTest, Established_BurstOfOutOfOrderSegments_OneDupAckEach) {
  ToEstablished();
  Recv({.seq = R(100), .payload = "a"});
  Recv({.seq = R(200), .payload = "b"});
  Recv({.seq = R(300), .payload = "c"});
  EXPECT_THAT(Poll(), ElementsAre(AckIs(R(0)), AckIs(R(0)), AckIs(R(0))));
}

TEST_F(TcpTest, Established_OutOfOrderWithoutSack_NoSackBlocks) {
  ToEstablished();  // the peer did not offer SACK
  Recv({.seq = R(100), .payload = "a"});
  EXPECT_THAT(PollOne(),
              AllOf(AckIs(R(0)),
                    SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{})));
}

TEST_F(TcpTest, FinWait1_DataAfterClose_Rst) {
  ToFinWait1();
  conn->Close();
  Recv({.seq = R(0), .ack = L(0), .payload = "late"});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_THAT(PollOne(), IsSegment(Rst(L(1))));
}

TEST_F(TcpTest, CloseWait_DataAfterFin_Ignored) {
  ToCloseWait();
  Recv({.seq = R(1), .payload = "after fin"});
  EXPECT_EQ(conn->recv_queued(), 0u);
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
}

// ------------------------------------------------------------ closing

TEST_F(TcpTest, FinWait1_AckOfFin_FinWait2) {
  ToFinWait1();
  Recv({.ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
}

TEST_F(TcpTest, FinWait1_NoAck_FinRetransmitted) {
  ToFinWait1();
  EXPECT_THAT(FireNext(), ElementsAre(IsSegment(Fin(L(0), R(0)))));
  Recv({.ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
}

TEST_F(TcpTest, FinWait1_Fin_ClosingThenTimeWait) {
  ToClosing();  // simultaneous close
  Recv({.seq = R(1), .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
}

TEST_F(TcpTest, FinWait1_FinAckingOurFin_TimeWait) {
  ToFinWait1();
  Recv({.flags = kFin | kAck, .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
}

TEST_F(TcpTest, FinWait1_Data_Delivered) {
  ToFinWait1();
  Recv({.seq = R(0), .ack = L(0), .payload = "more"});
  EXPECT_EQ(ReadAll(), "more");
}

TEST_F(TcpTest, FinWait2_Data_Delivered) {
  ToFinWait2();
  Recv({.seq = R(0), .ack = L(1), .payload = "still"});
  EXPECT_EQ(ReadAll(), "still");
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
}

TEST_F(TcpTest, FinWait2_Fin_TimeWaitThenClosedAfter2Msl) {
  ToFinWait2();
  Recv({.flags = kFin | kAck, .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(60));
  Advance(Duration::Seconds(60) - Duration::Nanos(1));
  Poll();
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  Advance(Duration::Nanos(1));
  EXPECT_THAT(Poll(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, FinWait2_AfterClose_TimesOut) {
  ToFinWait2();
  conn->Close();
  EXPECT_FALSE(Due());  // the timer is armed by the Close, no turn needed
  EXPECT_EQ(conn->NextDeadline(), now() + cfg.fin_wait2_timeout);
  ExpectNothing();
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
}

TEST_F(TcpTest, FinWait1_ClosedThenFinAcked_FinWait2Bounded) {
  ToFinWait1();
  conn->Close();
  Recv({.ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
  EXPECT_EQ(conn->NextDeadline(), now() + cfg.fin_wait2_timeout);
}

TEST_F(TcpTest, FinWait2_HalfCloseOnly_WaitsForPeer) {
  ToFinWait2();
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
  EXPECT_FALSE(Due());
}

TEST_F(TcpTest, TimeWait_NewerSyn_NewIncarnationAllowed) {
  ToTimeWait();
  EXPECT_TRUE(
      conn->AcceptsNewIncarnation(Repr({.flags = kSyn, .seq = R(100000)})));
  EXPECT_FALSE(conn->AcceptsNewIncarnation(Repr({.flags = kSyn, .seq = R(0)})));
  EXPECT_FALSE(conn->AcceptsNewIncarnation(
      Repr({.flags = kSyn | kAck, .seq = R(100000)})));
}

TEST_F(TcpTest, TimeWait_RetransmittedFin_AckedAndTimerRestarted) {
  ToTimeWait();
  Advance(Duration::Seconds(30));
  Recv({.flags = kFin | kAck, .seq = R(0), .ack = L(1)});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(60));
}

TEST_F(TcpTest, TimeWait_Rst_Closed) {
  ToTimeWait();
  Recv({.flags = kRst, .seq = R(1)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
}

TEST_F(TcpTest, CloseWait_Shutdown_LastAckThenClosed) {
  ToLastAck();
  Recv({.seq = R(1), .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kClosed);
}

TEST_F(TcpTest, CloseWait_SendStillWorks) {
  ToCloseWait();
  Write("reply");
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = L(0),
                                    .ack = R(1),
                                    .flags = kAck | kPsh,
                                    .window = kWndAfterFin,
                                    .payload = "reply",
                                    .options = kNoOptions}));
}

TEST_F(TcpTest, LastAck_NoAck_FinRetransmitted) {
  ToLastAck();
  EXPECT_THAT(FireNext(),
              ElementsAre(IsSegment(Fin(L(0), R(1), kWndAfterFin))));
}

TEST_F(TcpTest, LastAck_Rst_Closed) {
  ToLastAck();
  Recv({.flags = kRst, .seq = R(1)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
}

TEST_F(TcpTest, Closing_NoAck_FinRetransmitted) {
  ToClosing();
  EXPECT_THAT(FireNext(),
              ElementsAre(IsSegment(Fin(L(0), R(1), kWndAfterFin))));
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

TEST_F(TcpTest, TimeWait_SynInWindow_ChallengeAck) {
  ToTimeWait();
  Recv({.flags = kSyn, .seq = R(1)});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
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

// RFC 9293 §3.10.7.4 second step, for every synchronized state: a RST at
// RCV.NXT ends the connection; "connection reset" where the application
// may still be waiting for data, silently otherwise.
TEST_F(TcpTest, SynchronizedStates_RstAtRcvNxt_Closed) {
  struct Row {
    const char* name;
    std::function<void()> setup;
    uint32_t rcv_off;
    ConnectionError error;
  };
  const Row rows[] = {
      {"FIN-WAIT-1", [this] { ToFinWait1(); }, 0, ConnectionError::kReset},
      {"FIN-WAIT-2", [this] { ToFinWait2(); }, 0, ConnectionError::kReset},
      {"CLOSE-WAIT", [this] { ToCloseWait(); }, 1, ConnectionError::kReset},
      {"CLOSING", [this] { ToClosing(); }, 1, ConnectionError::kNone},
      {"LAST-ACK", [this] { ToLastAck(); }, 1, ConnectionError::kNone},
      {"TIME-WAIT", [this] { ToTimeWait(); }, 1, ConnectionError::kNone},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    row.setup();
    Recv({.flags = kRst, .seq = R(row.rcv_off + 50)});  // in window
    EXPECT_NE(conn->state(), TcpState::kClosed);
    Advance(cfg.invalid_ack_interval);
    Recv({.flags = kRst, .seq = R(row.rcv_off)});
    EXPECT_EQ(conn->state(), TcpState::kClosed);
    EXPECT_EQ(conn->error(), row.error);
    EXPECT_FALSE(conn->buffers_allocated());
  }
}

// RFC 5961 §4: a SYN in any synchronized state earns a challenge ACK.
TEST_F(TcpTest, SynchronizedStates_Syn_ChallengeAck) {
  struct Row {
    const char* name;
    std::function<void()> setup;
    TcpState state;
  };
  const Row rows[] = {
      {"FIN-WAIT-1", [this] { ToFinWait1(); }, TcpState::kFinWait1},
      {"FIN-WAIT-2", [this] { ToFinWait2(); }, TcpState::kFinWait2},
      {"CLOSE-WAIT", [this] { ToCloseWait(); }, TcpState::kCloseWait},
      {"CLOSING", [this] { ToClosing(); }, TcpState::kClosing},
      {"LAST-ACK", [this] { ToLastAck(); }, TcpState::kLastAck},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    row.setup();
    Recv({.flags = kSyn, .seq = R(10)});
    EXPECT_THAT(PollOne(), FlagsAre(kAck));
    EXPECT_EQ(conn->state(), row.state);
    EXPECT_EQ(conn->stats().challenge_acks, 1u);
  }
}

// ------------------------------------------------------------ memory

TEST_F(TcpTest, Established_Idle_NoBufferMemory) {
  ToEstablished();
  EXPECT_FALSE(conn->buffers_allocated());
  Write("x");
  EXPECT_TRUE(conn->buffers_allocated());
}

TEST_F(TcpTest, TimeWait_AfterTransfer_BuffersFreed) {
  ToEstablished();
  Write("data");
  Poll();
  Recv({.seq = R(0), .ack = L(4), .payload = "resp"});
  EXPECT_EQ(ReadAll(), "resp");
  conn->Shutdown();
  Poll();
  Recv({.flags = kFin | kAck, .seq = R(4), .ack = L(5)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, Tcb_Footprint_UnderOneKiB) {
  RecordProperty("sizeof_Connection", static_cast<int>(sizeof(Connection)));
  EXPECT_LT(sizeof(Connection), 1024u) << sizeof(Connection);
  std::printf("sizeof(Connection) = %zu\n", sizeof(Connection));
}

TEST_F(TcpTest, Sink_Refuses_NothingLostOutputStaysDue) {
  ToEstablished();
  Write("abc");
  out.refuse = true;
  conn->PollTransmit(now(), out);
  EXPECT_TRUE(Due());
  out.refuse = false;
  EXPECT_THAT(PollOne(), IsSegment(Data(L(0), "abc", kAck | kPsh)));
}

}  // namespace
}  // namespace skiff::testing
