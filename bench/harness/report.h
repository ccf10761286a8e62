// What one skiff-bench run measured, and its two renderings: the human
// table and the JSON whose shape the issue fixes (top-level "skiff" and
// "linux" objects; null for a stack that did not run).
#ifndef SKIFF_BENCH_HARNESS_REPORT_H_
#define SKIFF_BENCH_HARNESS_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "bench/harness/runner.h"
#include "bench/harness/sys.h"

namespace skiff::bench {

struct RunParams {
  std::vector<std::string> modes;  // in run order: "cps", "bulk", "rr"
  Window window;
  std::vector<int> concurrency;
  int lcores = 0;  // --lcores: 0 the classic pair, N: N+N threads
  std::optional<Endpoint> target;
  Placement placement;
  MachineInfo machine;
  size_t bulk_write_size = 0;
  size_t rr_message_size = 0;
  std::string command;  // the command line, for reproduction
};

struct CpsPoint {
  int concurrency = 0;
  CpsResult result;
};

struct RrPoint {
  int concurrency = 0;  // connections
  RrResult result;
};

struct StackReport {
  std::string name;         // "linux" or "skiff"
  std::string description;  // Runner::Describe()
  std::vector<CpsPoint> cps;
  std::optional<BulkResult> bulk;
  std::vector<RrPoint> rr;  // one per --concurrency, in sweep order
  // The sweep point with the highest conn/s; nullptr when cps did not run.
  const CpsPoint* BestCps() const;
  // The rr point with the fewest connections (the latency figure);
  // nullptr when rr did not run.
  const RrPoint* FewestRr() const;
};

std::string FormatTable(const RunParams& params,
                        const std::vector<StackReport>& stacks);
std::string FormatJson(const RunParams& params,
                       const std::vector<StackReport>& stacks);

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_REPORT_H_
