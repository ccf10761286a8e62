// --stats_interval=SECONDS: a running app prints one summary line per
// interval, e.g.
//
//   stats: 1.00s conns/s 1520 req/s 3040 active 35 rx_pps 12001
//          tx_pps 11990 drops/s 0 retrans/s 0        (one line)
//
// Rates are over the interval just ended. The loop calls Tick() every
// turn: one compare with the next deadline unless an interval has passed,
// so the flag costs nothing measurable (bench: BM_IdlePoll*). Shared by
// skiff-httpd and skiff-load; the flag lives here, once.
#ifndef SKIFF_APPS_COMMON_STATS_LINE_H_
#define SKIFF_APPS_COMMON_STATS_LINE_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "stack/base/clock.h"
#include "stack/counters.h"

namespace skiff {

class StackCore;

// What one line compares: the counters at two moments.
struct StatsSample {
  Instant at;
  StackCounters counters;
  uint64_t active = 0;               // connections in the table
  std::optional<uint64_t> requests;  // if the app counts them
};

// The line for the interval from `prev` to `cur` (no newline).
std::string FormatStatsLine(const StatsSample& prev, const StatsSample& cur);

class StatsTicker {
 public:
  // `interval` zero or negative: disabled, Tick does nothing.
  StatsTicker(Duration interval, std::FILE* out);
  bool enabled() const { return enabled_; }

  // Once per loop turn. `requests` is called (once per interval) for the
  // app's request count; nullopt if it has none.
  void Tick(Instant now, const StackCore& stack,
            absl::FunctionRef<std::optional<uint64_t>()> requests) {
    if (now < next_) [[likely]]
      return;
    Emit(now, stack, requests);
  }

 private:
  void Emit(Instant now, const StackCore& stack,
            absl::FunctionRef<std::optional<uint64_t>()> requests);

  Duration interval_;
  std::FILE* out_;
  bool enabled_;
  bool started_ = false;  // the first Tick only takes a sample
  Instant next_;          // Instant::Max() when disabled
  StatsSample prev_;
};

// --stats_interval (0, the default: zero, disabled).
Duration StatsIntervalFromFlags();

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_STATS_LINE_H_
