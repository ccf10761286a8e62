// RFC 6298 retransmission timeout: SRTT/RTTVAR smoothing, Karn's rule (the
// caller never samples a retransmitted segment unless timestamps say which
// transmission was acked, RFC 7323 §4), and exponential backoff.
#ifndef SKIFF_STACK_TCP_RTT_H_
#define SKIFF_STACK_TCP_RTT_H_

#include <cstdint>

#include "stack/base/clock.h"

namespace skiff {

class RttEstimator {
 public:
  RttEstimator() = default;
  RttEstimator(Duration initial_rto) : rto_(initial_rto) {}

  // RFC 6298 §2.2/§2.3 with K = 4, alpha = 1/8, beta = 1/4, clock
  // granularity G = 1 ms; the result is clamped to [min_rto, max_rto].
  void Sample(Duration rtt, Duration min_rto, Duration max_rto);
  // The current timeout, backoff applied (§5.5), at most max_rto.
  Duration rto(Duration max_rto) const;
  void Backoff() {
    if (backoff_ < 30) ++backoff_;
  }
  void ResetBackoff() { backoff_ = 0; }
  uint8_t backoffs() const { return backoff_; }
  bool has_sample() const { return has_sample_; }
  Duration srtt() const { return srtt_; }
  Duration rttvar() const { return rttvar_; }

 private:
  Duration srtt_;
  Duration rttvar_;
  Duration rto_ = Duration::Seconds(1);
  uint8_t backoff_ = 0;
  bool has_sample_ = false;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_RTT_H_
