// skiff-load's output: the live line each second, the final table, and the
// JSON and CSV files (one CSV row per second) that bench/plot_load.py draws.
#ifndef SKIFF_APPS_LOAD_REPORT_H_
#define SKIFF_APPS_LOAD_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "apps/load/engine.h"
#include "apps/load/load_config.h"
#include "bench/harness/histogram.h"

namespace skiff::load {

struct RunSummary {
  LoadConfig config;
  double seconds = 0;  // the run, Start to Stop: rates are over this
  double elapsed = 0;  // ... and to the end of the drain
  LoadCounters totals;
  const bench::Histogram* latency = nullptr;  // whole run, nanoseconds
  uint64_t retransmits = 0;
  uint64_t max_held = 0;
  std::vector<LoadSample> samples;  // one per second
};

// "  1.0s  conn/s 12,345 req/s 12,345 active 64 held 64 err 0 (...) rtx 0
//  p50 85us p99 140us"
std::string FormatLive(const LoadSample& s);
// The final report as an aligned table.
std::string FormatFinal(const RunSummary& r);
std::string ToJson(const RunSummary& r);
std::string ToCsv(const RunSummary& r);
absl::Status WriteFile(const std::string& path, const std::string& text);

}  // namespace skiff::load

#endif  // SKIFF_APPS_LOAD_REPORT_H_
