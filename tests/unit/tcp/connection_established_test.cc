// RFC 9293 §3.10.7 rows for ESTABLISHED: receiving (delayed ACKs, window
// edges, RST and SYN checks with RFC 5961 challenge ACKs), sending (MSS,
// Nagle, the peer's window) and the receive window, segment by segment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/connection_segments.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::SizeIs;

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
