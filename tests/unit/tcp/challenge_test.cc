// RFC 5961 §7: the stack-wide limit on challenge ACKs, shared by every
// connection of a layer (here: one limiter the test hands in).
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::SizeIs;

TEST(ChallengeAckLimiter, PerSecondWindow_AllowsLimitThenRefusesThenRefills) {
  ChallengeAckLimiter l(2);
  const Instant t0 = Instant::FromNanos(5'000'000'000);
  EXPECT_TRUE(l.Allow(t0));
  EXPECT_TRUE(l.Allow(t0 + Duration::Millis(10)));
  EXPECT_FALSE(l.Allow(t0 + Duration::Millis(20)));
  EXPECT_EQ(l.suppressed(), 1u);
  EXPECT_TRUE(l.Allow(t0 + Duration::Seconds(1)));
}

TEST(ChallengeAckLimiter, ZeroLimit_Unlimited) {
  ChallengeAckLimiter l(0);
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(l.Allow(Instant::FromNanos(i)));
}

TEST_F(TcpTest, Established_GlobalChallengeLimitSpent_NoChallengeAck) {
  ChallengeAckLimiter limiter(2);
  challenge_limit = &limiter;
  cfg.invalid_ack_interval = Duration::Zero();  // only the global limit
  ToEstablished();
  Recv({.flags = TcpFlag::kRst, .seq = R(100)});
  EXPECT_THAT(Poll(), SizeIs(1));
  Recv({.flags = TcpFlag::kRst, .seq = R(200)});
  EXPECT_THAT(Poll(), SizeIs(1));
  Recv({.flags = TcpFlag::kSyn, .seq = R(300)});
  ExpectNothing();
  EXPECT_EQ(conn->stats().challenge_acks, 2u);
  EXPECT_EQ(conn->stats().invalid_acks_limited, 1u);
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  Advance(Duration::Seconds(1));
  Recv({.flags = TcpFlag::kRst, .seq = R(100)});
  EXPECT_THAT(Poll(), SizeIs(1));
}

}  // namespace
}  // namespace skiff::testing
