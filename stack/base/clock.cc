#include "stack/base/clock.h"

#include <time.h>

namespace skiff {

Instant MonotonicClock::Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Instant::FromNanos(static_cast<int64_t>(ts.tv_sec) * 1000000000 +
                            ts.tv_nsec);
}

}  // namespace skiff
