// A token bucket on caller-supplied time, for rate limits such as ICMP errors
// (RFC 1812 §4.3.2.8 recommends one; RFC 1122 §3.2.2 allows it).
#ifndef SKIFF_STACK_NET_TOKEN_BUCKET_H_
#define SKIFF_STACK_NET_TOKEN_BUCKET_H_

#include <algorithm>
#include <cstdint>

#include "stack/base/clock.h"

namespace skiff {

class TokenBucket {
 public:
  // `rate_per_sec` tokens a second, at most `burst` saved. A rate of 0 never
  // grants a token.
  TokenBucket(uint32_t rate_per_sec, uint32_t burst)
      : interval_(rate_per_sec == 0 ? Duration::Infinite()
                                    : Duration::Seconds(1) / rate_per_sec),
        burst_(burst),
        tokens_(burst) {}

  // Takes one token if there is one.
  bool TryTake(Instant now) {
    Refill(now);
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

 private:
  void Refill(Instant now) {
    if (!started_) {
      started_ = true;
      last_ = now;
      return;
    }
    if (tokens_ >= burst_ || interval_ == Duration::Infinite()) {
      last_ = now;
      return;
    }
    int64_t earned = (now - last_).nanos() / interval_.nanos();
    if (earned <= 0) return;
    tokens_ = static_cast<uint32_t>(
        std::min<int64_t>(burst_, int64_t{tokens_} + earned));
    last_ = last_ + interval_ * earned;
  }

  Duration interval_;
  uint32_t burst_;
  uint32_t tokens_;
  bool started_ = false;
  Instant last_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_TOKEN_BUCKET_H_
