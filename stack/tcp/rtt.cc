#include "stack/tcp/rtt.h"

#include <algorithm>

namespace skiff {

void RttEstimator::Sample(Duration r, Duration min_rto, Duration max_rto) {
  if (r < Duration::Zero()) return;
  if (!has_sample_) {
    // §2.2: the first measurement.
    srtt_ = r;
    rttvar_ = r / 2;
    has_sample_ = true;
  } else {
    // §2.3: RTTVAR first, with the old SRTT.
    Duration err = srtt_ > r ? srtt_ - r : r - srtt_;
    rttvar_ = (rttvar_ * 3 + err) / 4;
    srtt_ = (srtt_ * 7 + r) / 8;
  }
  rto_ = srtt_ + std::max(Duration::Millis(1), rttvar_ * 4);
  rto_ = std::clamp(rto_, min_rto, max_rto);  // §2.4, §2.5
}

Duration RttEstimator::rto(Duration max_rto) const {
  Duration d = rto_;
  for (uint8_t i = 0; i < backoff_ && d < max_rto; ++i) d = d * 2;
  return std::min(d, max_rto);
}

}  // namespace skiff
