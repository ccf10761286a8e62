// skiff-load on several lcores (issue 10): each worker lcore runs its own
// LoadEngine on its own StackCore with a share of the run, and the shares come
// back together as one report.
//
//  * SplitConfig gives lcore k its share of the totals: concurrency, rate,
//    count and max_in_flight divided so that the shares add up exactly
//    (the first `total % n` lcores take one more).
//  * SampleMerger joins the lcores' once-a-second samples: interval k of
//    every lcore becomes one interval of the report, counters summed and
//    the latency percentiles read from the merged interval histograms (a
//    percentile of the union, not an average of percentiles).
#ifndef SKIFF_APPS_LOAD_LCORE_MERGE_H_
#define SKIFF_APPS_LOAD_LCORE_MERGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "apps/load/engine.h"
#include "apps/load/load_config.h"
#include "bench/harness/histogram.h"

namespace skiff::load {

LoadCounters& operator+=(LoadCounters& a, const LoadCounters& b);

// Lcore k's share (0 <= k < n) of `total`. Every share of concurrency is at
// least 1 and of a bounded count at least 1 when the total allows it: the
// caller checks CanSplit first.
LoadConfig SplitConfig(const LoadConfig& total, uint16_t n, uint16_t k);
// False when some lcore's share would be zero (concurrency or a count
// below n): a zero count would mean "no bound" to that engine.
bool CanSplit(const LoadConfig& total, uint16_t n);

// Thread-safe: each lcore calls Add once a second (a mutex taken once per
// second per lcore, never on the packet path).
class SampleMerger {
 public:
  // `on_sample` gets each merged interval, in order, on whichever lcore
  // completed it (or in Finish).
  SampleMerger(uint16_t lcores, std::function<void(const LoadSample&)> on)
      : lcores_(lcores), on_sample_(std::move(on)) {}

  // Lcore's next interval (its index counts from 0 per lcore) and that
  // interval's latency histogram.
  void Add(uint16_t lcore, const LoadSample& s,
           const bench::Histogram& interval);
  // After every lcore stopped: the intervals some lcores never reached (a
  // shorter drain) are reported with what arrived.
  void Finish();

 private:
  struct Slot {
    LoadSample sum;
    bench::Histogram latency;
    uint16_t have = 0;
  };
  void Emit(Slot& slot);  // with mu_ held

  const uint16_t lcores_;
  std::function<void(const LoadSample&)> on_sample_;
  std::mutex mu_;
  std::vector<size_t> next_;      // per lcore: its next interval
  std::map<size_t, Slot> slots_;  // intervals not yet complete
  size_t emitted_ = 0;            // intervals reported so far
};

}  // namespace skiff::load

#endif  // SKIFF_APPS_LOAD_LCORE_MERGE_H_
