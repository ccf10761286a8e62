// Pacer: the intended send times of an open-loop run. The rate climbs
// linearly from zero to `rate` over `ramp`, then holds; each time is the
// previous one plus 1/rate at that moment. Latency is measured from these
// times, not from when a request actually left, so a stalled generator or
// server cannot hide its queueing (wrk2's coordinated-omission correction).
#ifndef SKIFF_APPS_LOAD_PACER_H_
#define SKIFF_APPS_LOAD_PACER_H_

#include <algorithm>
#include <cmath>

#include "stack/base/clock.h"

namespace skiff::load {

class Pacer {
 public:
  Pacer() = default;
  Pacer(Instant start, double rate, Duration ramp)
      : start_(start), rate_(rate), ramp_(ramp), next_(start) {
    if (ramp_ > Duration::Zero()) next_ = start_ + FirstGap();
  }

  // The intended time of the next request.
  Instant next() const { return next_; }
  // Takes it and computes the one after.
  Instant Take() {
    const Instant t = next_;
    next_ = t + Gap(t);
    return t;
  }
  // The target rate at `t` (requests/s).
  double RateAt(Instant t) const {
    if (ramp_ <= Duration::Zero() || t - start_ >= ramp_) return rate_;
    const double f = std::max(0.0, (t - start_).seconds() / ramp_.seconds());
    return rate_ * f;
  }

 private:
  // During the ramp n(t) = rate t² / 2 ramp, so the first request is due
  // at sqrt(2 ramp / rate).
  Duration FirstGap() const {
    return Duration::Nanos(
        static_cast<int64_t>(std::sqrt(2.0 * ramp_.seconds() / rate_) * 1e9));
  }
  Duration Gap(Instant t) const {
    const double r = std::max(RateAt(t), rate_ * 1e-3);
    return Duration::Nanos(std::max<int64_t>(1, std::llround(1e9 / r)));
  }

  Instant start_;
  double rate_ = 0;
  Duration ramp_ = Duration::Zero();
  Instant next_;
};

}  // namespace skiff::load

#endif  // SKIFF_APPS_LOAD_PACER_H_
