// Segment acceptance (RFC 9293 §3.10.7.4 first and fourth steps, RFC 5961)
// and SYN data in a simultaneous open (§3.10.7.3): the issue-8 deviations
// 6, 7 and 8, each as the trace that showed it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint8_t kSyn = TcpFlag::kSyn;
constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kFin = TcpFlag::kFin;
constexpr uint8_t kRst = TcpFlag::kRst;
constexpr uint8_t kPsh = TcpFlag::kPsh;

// The peer offers no window scaling, so skiff advertises 65,535 although
// its receive buffer is 256 KiB: RCV.WND (§3.3.1, §3.8.6) is the former.
constexpr uint32_t kAdvertised = 65535;

class AcceptanceTest : public TcpTest {
 protected:
  AcceptanceTest() { cfg.recv_buffer_size = 256 * 1024; }
};

// ---- deviation 6: RCV.WND is the advertised window ----

TEST_F(AcceptanceTest, Established_RstJustPastAdvertisedEdge_SilentlyDropped) {
  ToEstablished();
  ASSERT_EQ(conn->rcv_wscale(), 0);
  // RFC 5961 §3.2: outside the window → silently dropped, no challenge ACK.
  Recv({.flags = kRst, .seq = R(kAdvertised)});
  ExpectNothing();
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->stats().challenge_acks, 0u);
  // The last sequence number inside the window still earns one.
  Recv({.flags = kRst, .seq = R(kAdvertised - 1)});
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), AckIs(R(0)), FlagsAre(kAck)));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
}

TEST_F(AcceptanceTest, Established_DataBeyondAdvertisedEdge_AckedNotQueued) {
  ToEstablished();
  Recv({.flags = kAck | kPsh, .seq = R(kAdvertised), .payload = "late"});
  // §3.10.7.4 first step: unacceptable → <SEQ=SND.NXT><ACK=RCV.NXT><ACK>.
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), AckIs(R(0)), FlagsAre(kAck)));
  EXPECT_EQ(conn->stats().out_of_order, 0u);
  EXPECT_EQ(drops[DropReason::kTcpOutOfWindow], 1u);
}

TEST_F(AcceptanceTest, Established_SegmentStraddlingAdvertisedEdge_Trimmed) {
  ToEstablished();
  // In order, 100 bytes more than the window: only the window is kept
  // (§3.10.7.4: "the portion beyond the window is trimmed").
  const std::string big(kAdvertised + 100, 'x');
  Recv({.flags = kAck | kPsh, .seq = R(0), .payload = big});
  EXPECT_EQ(conn->rcv_nxt(), R(kAdvertised));
  EXPECT_EQ(conn->recv_queued(), kAdvertised);
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(kAdvertised)), FlagsAre(kAck)));
}

TEST_F(AcceptanceTest, SynReceived_RstJustPastAdvertisedEdge_SilentlyDropped) {
  ToSynReceived();
  Recv({.flags = kRst, .seq = R(kAdvertised)});
  ExpectNothing();
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
}

TEST_F(AcceptanceTest, TimeWait_AckBeyondAdvertisedEdge_Acked) {
  ToTimeWait();
  // RCV.NXT = R(1) (after the peer's FIN); the window ends at R(1) + 65535.
  Recv({.seq = R(1 + kAdvertised), .ack = L(1)});
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(1)), AckIs(R(1)), FlagsAre(kAck)));
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
}

// ---- deviation 7: SYN in a synchronized state, any sequence number ----

TEST_F(AcceptanceTest, TimeWait_SynFinJustBelowRcvNxt_ChallengeAck) {
  ToTimeWait();
  // SYN at R(0) (old), FIN at R(1) = RCV.NXT: trimming must not hide the
  // SYN (RFC 5961 §4.2 "irrespective of the sequence number").
  Recv({.flags = kSyn | kFin, .seq = R(0)});
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(1)), AckIs(R(1)), FlagsAre(kAck)));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
}

TEST_F(AcceptanceTest, Established_OldSyn_ChallengeAck) {
  ToEstablished();
  Recv({.flags = kSyn, .seq = R(0) - 1000});
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), AckIs(R(0)), FlagsAre(kAck)));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
}

TEST_F(AcceptanceTest, Established_SynBeyondWindow_ChallengeAck) {
  ToEstablished();
  // Beyond even the free buffer (256 KiB): the first step would only ACK.
  Recv({.flags = kSyn | kAck, .seq = R(300000), .ack = L(0)});
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), AckIs(R(0)), FlagsAre(kAck)));
  EXPECT_EQ(conn->stats().challenge_acks, 1u);
}

// The RFC 5961 §7 stack-wide limit applies to these challenge ACKs too.
TEST_F(AcceptanceTest, Established_OldSynGlobalLimitSpent_NoAck) {
  ChallengeAckLimiter limiter(1);
  challenge_limit = &limiter;
  cfg.invalid_ack_interval = Duration::Zero();
  ToEstablished();
  Recv({.flags = kSyn, .seq = R(0) - 1000});
  EXPECT_THAT(Poll(), ::testing::SizeIs(1));
  Recv({.flags = kSyn, .seq = R(0) - 2000});
  ExpectNothing();
}

// ---- deviation 8: data on the peer's SYN in a simultaneous open ----

TEST_F(AcceptanceTest, SynSent_SynWithData_DeliveredOnceEstablished) {
  ToSynSent();
  Recv({.flags = kSyn,
        .seq = SeqNum(kRemoteIss),
        .payload = "early",
        .options = PeerSynOptions(false)});
  ASSERT_EQ(conn->state(), TcpState::kSynReceived);
  // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ + 1: the data
  // is queued, not yet acknowledged nor readable.
  EXPECT_THAT(PollOne(), AllOf(SeqIs(SeqNum(kLocalIss)), AckIs(R(0)),
                               FlagsAre(kSyn | kAck)));
  EXPECT_EQ(ReadAll(), "");
  // The peer's SYN,ACK answers our SYN: ESTABLISHED, the queued text is
  // processed.
  Recv({.flags = kSyn | kAck, .seq = SeqNum(kRemoteIss), .ack = L(0)});
  ASSERT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->rcv_nxt(), R(5));
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kReadable);
  EXPECT_EQ(ReadAll(), "early");
  std::vector<Sent> v = Poll();
  if (v.empty()) v = FireNext();  // a delayed ACK is fine
  EXPECT_THAT(v, ElementsAre(AllOf(AckIs(R(5)), FlagsAre(kAck))));
}

TEST_F(AcceptanceTest, SynSent_SynWithDataThenAck_DeliveredAndFollowingData) {
  ToSynSent();
  Recv({.flags = kSyn,
        .seq = SeqNum(kRemoteIss),
        .payload = "abc",
        .options = PeerSynOptions(false)});
  Poll();  // SYN,ACK
  // The peer's ACK of our SYN carries the next bytes.
  Recv({.flags = kAck | kPsh, .seq = R(3), .ack = L(0), .payload = "def"});
  ASSERT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->rcv_nxt(), R(6));
  EXPECT_EQ(ReadAll(), "abcdef");
}

TEST_F(AcceptanceTest, SynSent_SynFinWithData_DataThenEofOnceEstablished) {
  ToSynSent();
  Recv({.flags = kSyn | kFin,
        .seq = SeqNum(kRemoteIss),
        .payload = "bye",
        .options = PeerSynOptions(false)});
  ASSERT_EQ(conn->state(), TcpState::kSynReceived);
  EXPECT_THAT(PollOne(), AllOf(AckIs(R(0)), FlagsAre(kSyn | kAck)));
  Recv({.seq = R(4), .ack = L(0)});
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
  EXPECT_EQ(conn->rcv_nxt(), R(4));
  EXPECT_EQ(ReadAll(), "bye");
  char c;
  EXPECT_EQ(conn->Recv(ByteSpan(reinterpret_cast<std::byte*>(&c), 1)).error(),
            RecvError::kEof);
}

}  // namespace
}  // namespace skiff::testing
