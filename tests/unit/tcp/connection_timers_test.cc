// Connection timers, segment by segment on a manual clock: retransmission
// with backoff (RFC 6298), RTT sampling, the persist timer (RFC 9293
// §3.8.6.1) and keepalive (RFC 1122 §4.2.3.6).
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
using ::testing::IsEmpty;
using ::testing::SizeIs;

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

}  // namespace
}  // namespace skiff::testing
