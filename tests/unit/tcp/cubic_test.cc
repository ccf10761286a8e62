// CUBIC (RFC 9438) against its formulas: β_cubic on a loss (§4.6), W_max
// and fast convergence (§4.7), K and W_cubic(t) (§4.2), the Reno-friendly
// region (§4.3), concave and convex growth toward W_cubic(t + RTT) (§4.4,
// §4.5), the reset after a timeout (§4.8); and the choice of controller
// per connection and by config.
#include "stack/tcp/cubic.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

constexpr uint32_t kMss = 1000;
const Instant kT0 = Instant::FromNanos(1'000'000'000);

// The RFC's formulas in segments and seconds, independently of the code.
double WCubicSegs(double t, double k, double w_max) {
  return 0.4 * (t - k) * (t - k) * (t - k) + w_max;
}

class CubicTest : public ::testing::Test {
 protected:
  // cwnd = `segs` segments, then a loss with that much in flight, then a
  // full ACK ends recovery at cwnd = ssthresh; returns the loss time.
  void LossAt(uint32_t segs) {
    cc.Reset(kMss, segs, SeqNum(0));
    ASSERT_EQ(cc.cwnd(), segs * kMss);
    Loss(segs);
  }
  void Loss(uint32_t flight_segs) {
    const SeqNum una = next_;
    const SeqNum max = next_ + flight_segs * kMss;
    ASSERT_TRUE(cc.OnLossDetected(una + 1, max, flight_segs * kMss, 3, kT0));
    // Full ACK (RFC 6582 step 3): nothing left in flight beyond ssthresh.
    const uint32_t ss = cc.ssthresh();
    const uint32_t flight = flight_segs * kMss;
    cc.OnAck({max, flight - ss, flight, kT0, Duration::Zero()});
    ASSERT_FALSE(cc.in_recovery());
    ASSERT_EQ(cc.cwnd(), ss);
    next_ = max;
  }
  // One ACK of `acked` bytes at `t` seconds after kT0 with SRTT `rtt_ms`.
  void AckAt(double t, uint32_t acked = kMss, int64_t rtt_ms = 0) {
    next_ += acked;
    cc.OnAck({next_, acked, cc.cwnd(),
              kT0 + Duration::Nanos(static_cast<int64_t>(t * 1e9)),
              Duration::Millis(rtt_ms)});
  }

  Cubic cc;
  SeqNum next_{1};
};

TEST_F(CubicTest, Loss_SsthreshIsBetaTimesFlight_WmaxIsCwnd) {
  LossAt(100);
  EXPECT_EQ(cc.ssthresh(), 70 * kMss);  // β_cubic = 0.7 (§4.6)
  EXPECT_EQ(cc.w_max(), 100 * kMss);    // first event: W_max = cwnd (§4.7)
  EXPECT_EQ(cc.cwnd_prior(), 100 * kMss);
}

TEST_F(CubicTest, Loss_BelowWmax_FastConvergenceRemembersLess) {
  LossAt(100);
  // The window had not regained W_max when the next loss came: W_max =
  // cwnd · (1 + β) / 2 = 70 · 0.85 segments (§4.7).
  Loss(70);
  EXPECT_EQ(cc.w_max(), 59'500u);
  EXPECT_EQ(cc.ssthresh(), 49 * kMss);
}

TEST_F(CubicTest, Epoch_KAndWcubicFollowTheFormula) {
  LossAt(100);
  AckAt(0);  // the congestion avoidance stage starts
  ASSERT_TRUE(cc.in_epoch());
  // K = ∛((W_max − cwnd_epoch) / C) = ∛(30 / 0.4) s (§4.2, Figure 2).
  const double k = std::cbrt(30.0 / 0.4);
  EXPECT_NEAR(cc.k_seconds(), k, 1e-9);
  for (double t : {0.0, 1.0, 2.5, k, k + 1, k + 3}) {
    EXPECT_NEAR(cc.WCubic(t), WCubicSegs(t, k, 100) * kMss, 1.0) << t;
  }
  EXPECT_NEAR(cc.WCubic(0), 70 * kMss, 1.0);   // starts at cwnd_epoch
  EXPECT_NEAR(cc.WCubic(k), 100 * kMss, 1.0);  // plateau at W_max
}

TEST_F(CubicTest, EarlyInStage_RenoFriendlyRegionFollowsWest) {
  LossAt(100);
  // With t ≈ 0, W_cubic(t) stays at cwnd_epoch while W_est grows by
  // α_cubic = 3(1 − β)/(1 + β) = 9/17 segment per window (§4.3): cwnd
  // follows W_est.
  double w_est = 70;
  for (int i = 0; i < 70; ++i) {
    AckAt(0);
    w_est += (9.0 / 17.0) * 1 / (cc.cwnd() / 1000.0);
  }
  EXPECT_GT(cc.w_est(), 70 * kMss);
  EXPECT_EQ(cc.cwnd(), cc.w_est());
  EXPECT_NEAR(cc.w_est() / 1000.0, w_est, 0.01);
}

TEST_F(CubicTest, ConcaveRegion_CwndMovesTowardWcubicOfTPlusRtt) {
  LossAt(100);
  AckAt(0);
  const double k = cc.k_seconds();
  // At t = 2 s (W_cubic(t) far above W_est), one ACK with SRTT 100 ms:
  // cwnd += (W_cubic(t + RTT) − cwnd) / cwnd per segment (§4.4).
  const double cwnd = cc.cwnd();
  const double target = WCubicSegs(2.1, k, 100) * kMss;
  ASSERT_GT(WCubicSegs(2.0, k, 100) * kMss, cc.w_est());
  AckAt(2.0, kMss, 100);
  EXPECT_NEAR(cc.cwnd(), cwnd + (target - cwnd) * kMss / cwnd, 1.0);
  EXPECT_LT(cc.cwnd(), 100 * kMss);  // still below W_max: concave
}

TEST_F(CubicTest, ConvexRegion_TargetCappedAtOneAndAHalfCwnd) {
  LossAt(100);
  AckAt(0);
  const double k = cc.k_seconds();
  // Far past K the cube explodes; the target is at most 1.5·cwnd (§4.2).
  const double cwnd = cc.cwnd();
  ASSERT_GT(WCubicSegs(k + 20, k, 100) * kMss, 1.5 * cwnd);
  AckAt(k + 20, kMss, 100);
  EXPECT_NEAR(cc.cwnd(), cwnd + (0.5 * cwnd) * kMss / cwnd, 1.0);
}

TEST_F(CubicTest, Timeout_LossWindowThenStageWithKZero) {
  LossAt(100);
  AckAt(0);
  // RTO with 80 segments in flight: ssthresh by β (§4.8), cwnd one segment.
  cc.OnRetransmitTimeout(next_ + 80 * kMss, 80 * kMss);
  EXPECT_EQ(cc.cwnd(), kMss);
  EXPECT_EQ(cc.ssthresh(), 56 * kMss);
  EXPECT_FALSE(cc.in_epoch());
  // Slow start back to ssthresh (past the RTO's `recover`), then the
  // first stage: K = 0, W_max = cwnd at its start.
  next_ = next_ + 80 * kMss;
  while (cc.cwnd() < cc.ssthresh()) AckAt(1.0);
  EXPECT_FALSE(cc.in_epoch());
  const uint32_t start = cc.cwnd();
  AckAt(1.0);
  ASSERT_TRUE(cc.in_epoch());
  EXPECT_EQ(cc.k_seconds(), 0.0);
  EXPECT_EQ(cc.w_max(), start);
}

TEST_F(CubicTest, RecoveryIsRenos_PartialAckResendsAndDeflates) {
  cc.Reset(kMss, 10, SeqNum(0));
  EXPECT_FALSE(cc.OnDupAck(2, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_TRUE(cc.OnDupAck(3, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_EQ(cc.ssthresh(), 7000u);
  EXPECT_EQ(cc.cwnd(), 10000u);  // ssthresh + 3 SMSS
  EXPECT_TRUE(cc.OnAck(SeqNum(3001), 3000, 10000));
  EXPECT_TRUE(cc.in_recovery());
}

// ---- selection ----

TEST_F(TcpTest, Config_CubicByDefault_NewConnectionsUseIt) {
  cfg.congestion_control = CongestionAlgorithm::kCubic;
  ToEstablished(/*full_options=*/true);
  EXPECT_EQ(conn->congestion_control(), CongestionAlgorithm::kCubic);
  EXPECT_NE(dynamic_cast<const Cubic*>(&conn->congestion()), nullptr);
}

TEST_F(TcpTest, SetCongestionControl_LiveConnection_KeepsWindow) {
  ToEstablished(/*full_options=*/true);
  EXPECT_EQ(conn->congestion_control(), CongestionAlgorithm::kNewReno);
  const uint32_t cwnd = conn->cwnd();
  const uint32_t ssthresh = conn->ssthresh();
  conn->SetCongestionControl(CongestionAlgorithm::kCubic);
  EXPECT_EQ(conn->congestion_control(), CongestionAlgorithm::kCubic);
  EXPECT_EQ(conn->cwnd(), cwnd);
  EXPECT_EQ(conn->ssthresh(), ssthresh);
  conn->SetCongestionControl(CongestionAlgorithm::kNewReno);
  EXPECT_EQ(conn->congestion_control(), CongestionAlgorithm::kNewReno);
  EXPECT_EQ(conn->cwnd(), cwnd);
  EXPECT_EQ(CongestionAlgorithmName(CongestionAlgorithm::kCubic), "cubic");
}

}  // namespace
}  // namespace skiff::testing
