#include "stack/tcp/cubic.h"

#include <algorithm>
#include <cmath>

namespace skiff {

void Cubic::Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) {
  RenoFamily::Reset(mss, initial_segments, iss);
  epoch_ = Instant::Max();
  k_ = 0;
  w_max_ = cwnd_prior_ = w_est_ = 0;
  w_est_rem_ = cwnd_rem_ = 0;
}

uint32_t Cubic::WCubic(double t) const {
  const double d = t - k_;
  const double w = static_cast<double>(w_max_) + kC * mss_ * d * d * d;
  if (w <= 0) return 0;
  if (w >= static_cast<double>(UINT32_MAX)) return UINT32_MAX;
  return static_cast<uint32_t>(w);
}

// §4.6 multiplicative decrease on a loss detected by ACKs: ssthresh =
// flight_size · β_cubic (at least 2 SMSS); §4.7 fast convergence: a flow
// whose window did not regain the last W_max releases bandwidth by
// remembering less, W_max = cwnd · (1 + β_cubic) / 2.
uint32_t Cubic::OnCongestionEvent(uint32_t flight, Instant /*now*/) {
  if (cwnd_ < w_max_) {
    w_max_ = static_cast<uint32_t>(uint64_t{cwnd_} * (kBetaDen + kBetaNum) /
                                   (2 * kBetaDen));
  } else {
    w_max_ = cwnd_;
  }
  cwnd_prior_ = cwnd_;
  epoch_ = Instant::Max();  // the next stage starts when recovery is over
  return std::max(static_cast<uint32_t>(uint64_t{flight} * kBetaNum / kBetaDen),
                  2 * mss_);
}

// §4.8: ssthresh by β_cubic as in §4.6; the first congestion avoidance
// stage after the timeout takes K = 0 and W_max = the cwnd it starts with
// (W_max = 0 here makes StartEpoch do that).
uint32_t Cubic::OnTimeoutReduce(uint32_t flight) {
  cwnd_prior_ = std::max(cwnd_prior_, cwnd_);
  w_max_ = 0;
  epoch_ = Instant::Max();
  return std::max(static_cast<uint32_t>(uint64_t{flight} * kBetaNum / kBetaDen),
                  2 * mss_);
}

// §4.2: K = ∛((W_max − cwnd_epoch) / C), in segments; a stage starting at
// or above W_max (after a timeout, §4.8) has K = 0 and W_max = cwnd_epoch.
// §4.3: W_est starts at cwnd_epoch.
void Cubic::StartEpoch(Instant now) {
  epoch_ = now;
  if (cwnd_ < w_max_) {
    k_ = std::cbrt(static_cast<double>(w_max_ - cwnd_) / (kC * mss_));
  } else {
    k_ = 0;
    w_max_ = cwnd_;
  }
  w_est_ = cwnd_;
  w_est_rem_ = cwnd_rem_ = 0;
}

// §4.3: W_est += α_cubic · segments_acked / cwnd (segments), with α_cubic
// = 3(1 − β)/(1 + β) = 9/17 until W_est reaches cwnd_prior, then 1 (Reno's
// own rate). In bytes: α · MSS · acked / cwnd.
void Cubic::GrowWest(uint32_t acked) {
  const bool reno_rate = w_est_ >= cwnd_prior_;
  const uint64_t num = reno_rate ? 1 : 3 * (kBetaDen - kBetaNum);  // 9
  const uint64_t den = reno_rate ? 1 : kBetaDen + kBetaNum;        // 17
  const uint64_t q = num * mss_ * acked + w_est_rem_;
  const uint64_t d = den * std::max<uint32_t>(cwnd_, 1);
  w_est_ = static_cast<uint32_t>(
      std::min<uint64_t>(uint64_t{w_est_} + q / d, UINT32_MAX));
  w_est_rem_ = static_cast<uint32_t>(q % d);
}

// §4.2-§4.5 on each ACK in congestion avoidance: W_est first; below it the
// flow is in the Reno-friendly region and cwnd follows W_est (§4.3);
// otherwise (concave §4.4 or convex §4.5) cwnd moves by (target − cwnd) /
// cwnd per segment acked toward target = W_cubic(t + RTT), clamped to
// [cwnd, 1.5·cwnd].
void Cubic::GrowInAvoidance(const AckSample& a) {
  if (epoch_ == Instant::Max()) StartEpoch(a.now);
  GrowWest(a.acked);
  const double t = static_cast<double>((a.now - epoch_).nanos()) / 1e9;
  if (WCubic(t) < w_est_) {
    cwnd_ = std::max(cwnd_, w_est_);
    return;
  }
  const double rtt = static_cast<double>(a.srtt.nanos()) / 1e9;
  const uint32_t target = std::clamp(WCubic(t + rtt), cwnd_, cwnd_ + cwnd_ / 2);
  const uint64_t q = uint64_t{target - cwnd_} * a.acked + cwnd_rem_;
  const uint32_t c = std::max<uint32_t>(cwnd_, 1);
  cwnd_ = static_cast<uint32_t>(
      std::min<uint64_t>(uint64_t{cwnd_} + q / c, UINT32_MAX));
  cwnd_rem_ = static_cast<uint32_t>(q % c);
}

}  // namespace skiff
