// RFC 5961 §7: a stack-wide bound on challenge ACKs per second, so that a
// flood of forged RSTs/SYNs/ACKs cannot turn the stack into an ACK
// generator (Linux tcp_challenge_ack_limit, 1000/s). The layer owns one
// and passes it to every connection, as it does its drop counters.
//
// A fixed global count is observable from outside (CVE-2016-5696: an
// off-path attacker probes whether a connection spent the budget); Linux
// since 4.7 draws a random limit each second. Here the per-connection
// invalid_ack_interval already bounds what one connection can spend.
#ifndef SKIFF_STACK_TCP_CHALLENGE_ACK_LIMIT_H_
#define SKIFF_STACK_TCP_CHALLENGE_ACK_LIMIT_H_

#include <cstdint>

#include "stack/base/clock.h"

namespace skiff {

class ChallengeAckLimiter {
 public:
  // At most `per_second` challenge ACKs in each one-second window; zero
  // means no limit.
  explicit ChallengeAckLimiter(uint32_t per_second = 1000)
      : limit_(per_second) {}

  // True if a challenge ACK may go now (and counts it).
  bool Allow(Instant now) {
    if (limit_ == 0) return true;
    if (now - window_start_ >= Duration::Seconds(1)) {
      window_start_ = now;
      count_ = 0;
    }
    if (count_ >= limit_) {
      ++suppressed_;
      return false;
    }
    ++count_;
    return true;
  }
  uint64_t suppressed() const { return suppressed_; }

 private:
  uint32_t limit_;
  uint32_t count_ = 0;
  uint64_t suppressed_ = 0;
  Instant window_start_ = Instant::FromNanos(INT64_MIN / 2);
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CHALLENGE_ACK_LIMIT_H_
