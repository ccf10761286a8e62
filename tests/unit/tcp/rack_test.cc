// RACK (RFC 8985 §6) in the connection: a segment reordered within the
// reordering window is not resent, a lost one is found by time with fewer
// than three duplicate ACKs (the reordering timer), three SACKed segments
// without reordering seen mark it lost at once, and peers without SACK (or
// with RACK off) keep RFC 5681's three duplicate ACKs.
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr uint32_t m = 1000;

MATCHER_P(SeqAt, n, "") { return arg.h.seq == L(n); }

class RackTest : public TcpTest {
 protected:
  // ESTABLISHED with <mss 1000, sackOK, wscale 7>, no timestamps, an RTT
  // of 10 ms, and 10 segments sent at t0; 10 ms later the first is
  // acknowledged (RACK.rtt = min_RTT = SRTT = 10 ms, so reo_wnd =
  // min_RTT / 4 = 2.5 ms).
  void TenOutFirstAcked() {
    Make();
    TcpOptions o;
    o.mss = 1000;
    o.window_scale = 7;
    o.sack_permitted = true;
    conn->AcceptSyn(
        tuple(), SeqNum(kLocalIss),
        Repr({.flags = TcpFlag::kSyn, .seq = SeqNum(kRemoteIss), .options = o}),
        now());
    PollOne();
    Advance(Duration::Millis(10));
    Recv({});
    ASSERT_EQ(conn->state(), TcpState::kEstablished);
    conn->SetNoDelay(true);
    Write(std::string(20 * m, 'r'));
    ASSERT_THAT(Poll(), SizeIs(10));
    Advance(Duration::Millis(10));
    Ack(1 * m, {});
    Poll();  // the window slid: new data
  }
  void Ack(uint32_t ack, std::vector<std::pair<uint32_t, uint32_t>> blocks) {
    SegSpec a{.ack = L(ack)};
    a.options.sack_count = static_cast<uint8_t>(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
      a.options.sack[i] = {L(blocks[i].first), L(blocks[i].second)};
    }
    Recv(a);
  }
};

TEST_F(RackTest, ReorderedWithinWindow_NotRetransmitted) {
  TenOutFirstAcked();
  // Segment 1 is overtaken by segment 2: one duplicate ACK SACKing it.
  Ack(1 * m, {{2 * m, 3 * m}});
  EXPECT_THAT(Poll(), Each(Not(SeqAt(1 * m))));
  // The reordering timer waits RACK.rtt + reo_wnd from segment 1's send.
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Micros(2500));
  // Segment 1 arrives 1 ms later, inside the window.
  Advance(Duration::Millis(1));
  Ack(3 * m, {});
  EXPECT_THAT(Poll(), Each(Not(SeqAt(1 * m))));
  EXPECT_EQ(conn->stats().retransmits, 0u);
  EXPECT_EQ(conn->stats().fast_retransmits, 0u);
  EXPECT_EQ(conn->stats().rack_timeouts, 0u);
}

TEST_F(RackTest, LostWithOneDupAck_DetectedWhenReorderTimerFires) {
  TenOutFirstAcked();
  Ack(1 * m, {{2 * m, 3 * m}});
  Poll();
  const Instant sack_at = now();
  // Nothing more arrives: the timer fires at RACK.rtt + reo_wnd after
  // segment 1 was sent, long before the RTO (200 ms) or a probe, and
  // segment 1 goes again after a single duplicate ACK.
  EXPECT_THAT(FireNext(), Contains(AllOf(SeqAt(1 * m), PayloadLenIs(m))));
  EXPECT_EQ(now() - sack_at, Duration::Micros(2500));
  EXPECT_EQ(conn->stats().dup_acks, 1u);
  EXPECT_EQ(conn->stats().rack_timeouts, 1u);
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);  // recovery started
  EXPECT_EQ(conn->stats().timeouts, 0u);
  EXPECT_GT(conn->ssthresh(), 0u);
  EXPECT_LT(conn->ssthresh(), UINT32_MAX);
}

TEST_F(RackTest, ThreeSackedNoReorderingSeen_LostAtOnce) {
  TenOutFirstAcked();
  // RFC 8985 §6.2 step 4: with DupThresh segments SACKed and no reordering
  // seen the window is zero: as fast as the third duplicate ACK was.
  Ack(1 * m, {{2 * m, 3 * m}});
  Poll();
  Ack(1 * m, {{2 * m, 4 * m}});
  Poll();
  Ack(1 * m, {{2 * m, 5 * m}});
  EXPECT_THAT(Poll(), Contains(AllOf(SeqAt(1 * m), PayloadLenIs(m))));
  EXPECT_EQ(conn->stats().rack_timeouts, 0u);
}

TEST_F(RackTest, ReorderingSeen_ThreeSackedStillWaitForTheWindow) {
  TenOutFirstAcked();
  // Segment 1 overtaken by 2, then arrives: reordering seen (§6.2 step 3).
  Ack(1 * m, {{2 * m, 3 * m}});
  Poll();
  Ack(3 * m, {});
  Poll();
  // Now segment 3 is late while 4, 5, 6 arrive: three SACKed, but the
  // window stays min_RTT / 4, so no resend yet.
  Ack(3 * m, {{4 * m, 5 * m}});
  Ack(3 * m, {{4 * m, 6 * m}});
  Ack(3 * m, {{4 * m, 7 * m}});
  EXPECT_THAT(Poll(), Each(Not(SeqAt(3 * m))));
  // ... and once the window passes, it goes.
  EXPECT_THAT(FireNext(), Contains(SeqAt(3 * m)));
  EXPECT_EQ(conn->stats().rack_timeouts, 1u);
}

TEST_F(RackTest, RetransmissionLost_ResentWhenLaterSentDataDelivered) {
  TenOutFirstAcked();
  Ack(1 * m, {{2 * m, 3 * m}});
  Poll();
  FireNext();  // segment 1 resent by the timer at t1
  // All else arrives: the pipe drains and new data goes (RFC 6675 §5
  // (C)), sent after the retransmission.
  Advance(Duration::Millis(1));
  Ack(1 * m, {{2 * m, 13 * m}});
  EXPECT_THAT(Poll(), Contains(SeqAt(13 * m)));
  EXPECT_EQ(conn->stats().lost_retransmits, 0u);
  // That new data is SACKed 10 ms later while segment 1 is still missing:
  // the retransmission was lost (§6.2: sent before a delivered segment,
  // RACK.rtt ago).
  Advance(Duration::Millis(10));
  Ack(1 * m, {{2 * m, 15 * m}});
  std::vector<Sent> got = Poll();
  EXPECT_THAT(got, Contains(AllOf(SeqAt(1 * m), PayloadLenIs(m))));
  EXPECT_EQ(conn->stats().lost_retransmits, 1u);
  EXPECT_EQ(conn->stats().timeouts, 0u);
}

TEST_F(RackTest, RackOff_OneDupAckWaitsForThree) {
  cfg.rack = false;
  TenOutFirstAcked();
  Ack(1 * m, {{2 * m, 3 * m}});
  EXPECT_THAT(Poll(), Each(Not(SeqAt(1 * m))));
  // The next deadline is the tail loss probe or the RTO, not a reordering
  // timer 2.5 ms on.
  EXPECT_GT(conn->NextDeadline(), now() + Duration::Millis(5));
  Ack(1 * m, {{2 * m, 4 * m}});
  Poll();
  Ack(1 * m, {{2 * m, 5 * m}});
  EXPECT_THAT(Poll(), Contains(SeqAt(1 * m)));
  EXPECT_EQ(conn->stats().rack_timeouts, 0u);
}

TEST_F(RackTest, NoSackPeer_ThreeDupAcksStillRule) {
  Make();
  TcpOptions o;
  o.mss = 1000;
  conn->AcceptSyn(
      tuple(), SeqNum(kLocalIss),
      Repr({.flags = TcpFlag::kSyn, .seq = SeqNum(kRemoteIss), .options = o}),
      now());
  PollOne();
  Recv({});
  conn->SetNoDelay(true);
  Write(std::string(10 * m, 'n'));
  ASSERT_THAT(Poll(), SizeIs(10));
  Advance(Duration::Millis(10));
  Ack(0, {});
  Poll();
  Advance(Duration::Millis(10));
  EXPECT_GT(conn->NextDeadline(), now());  // no reordering timer
  Ack(0, {});
  Poll();
  Ack(0, {});
  EXPECT_THAT(Poll(), Contains(SeqAt(0)));
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);
  EXPECT_EQ(conn->stats().rack_timeouts, 0u);
}

TEST_F(RackTest, AllAcked_NoTimerLeft) {
  TenOutFirstAcked();
  Ack(1 * m, {{2 * m, 3 * m}});
  Poll();
  for (int i = 0; i < 10 && conn->snd_una() != conn->snd_nxt(); ++i) {
    Recv({.ack = conn->snd_nxt()});
    Poll();
  }
  EXPECT_EQ(conn->snd_una(), conn->snd_nxt());
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
}

// RACK's stamps are the monotonic clock in µs, kept in 32 bits: they wrap
// every 2^32 µs (71.6 min), so half of every cycle reads as "negative".
// The reordering timer must fire, and RACK.rtt be measured, whatever the
// clock reads when the flight starts: here the epochs of the lower half,
// the upper half (once pinned the log's clock to a stamp of 0 and left
// every loss to the RTO: the 2% loss interop test ran at 0.4 MB/s) and a
// flight straddling the wrap.
class RackEpochTest : public RackTest,
                      public ::testing::WithParamInterface<int64_t> {};

TEST_P(RackEpochTest, ReorderTimerFiresAndRttIsMeasured) {
  clock.Set(Instant::FromNanos(GetParam()));
  TenOutFirstAcked();
  Ack(1 * m, {{2 * m, 3 * m}});
  EXPECT_THAT(Poll(), Each(Not(SeqAt(1 * m))));
  // One SACKed segment: the loss waits for RACK.rtt + reo_wnd after its
  // send (10 ms + 2.5 ms), not for the RTO (≥ 200 ms).
  const Instant deadline = conn->NextDeadline();
  EXPECT_LE(deadline, now() + Duration::Millis(5));
  EXPECT_THAT(FireNext(), Contains(SeqAt(1 * m)));
  EXPECT_EQ(conn->stats().rack_timeouts, 1u);
  EXPECT_EQ(conn->stats().timeouts, 0u);
}

constexpr int64_t kUsWrapNanos = (int64_t{1} << 32) * 1000;
INSTANTIATE_TEST_SUITE_P(
    ClockEpochs, RackEpochTest,
    ::testing::Values(int64_t{1'000'000'000},              // 1 s
                      int64_t{3'000} * 1'000'000'000,      // upper half
                      kUsWrapNanos - 5'000'000,            // wraps mid-flight
                      kUsWrapNanos + 2'500'000'000'000));  // upper half again

}  // namespace
}  // namespace skiff::testing
