#include "drivers/dpdk/lcores.h"

#include <rte_launch.h>
#include <rte_lcore.h>

#include <vector>

#include "absl/strings/str_format.h"

namespace skiff {
namespace {

struct Job {
  absl::FunctionRef<void(uint16_t)>* fn;
  uint16_t k;
};

int RunJob(void* arg) {
  Job* job = static_cast<Job*>(arg);
  (*job->fn)(job->k);
  return 0;
}

}  // namespace

uint16_t EalLcoreCount() { return static_cast<uint16_t>(rte_lcore_count()); }

absl::Status RunOnLcores(uint16_t n, absl::FunctionRef<void(uint16_t)> fn) {
  if (n == 0) return absl::OkStatus();
  if (n > EalLcoreCount()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%u stacks need %u lcores; the EAL has %u (give -l or --lcores)", n, n,
        EalLcoreCount()));
  }
  std::vector<unsigned> workers;
  unsigned id;
  RTE_LCORE_FOREACH_WORKER(id) {
    if (workers.size() + 1 == n) break;
    if (rte_eal_get_lcore_state(id) != WAIT) {
      return absl::FailedPreconditionError(
          absl::StrFormat("worker lcore %u is busy", id));
    }
    workers.push_back(id);
  }
  std::vector<Job> jobs(n, Job{&fn, 0});
  for (size_t i = 0; i < workers.size(); ++i) {
    jobs[i + 1].k = static_cast<uint16_t>(i + 1);
    // A worker in WAIT state accepts the launch: checked above.
    rte_eal_remote_launch(RunJob, &jobs[i + 1], workers[i]);
  }
  fn(0);
  for (unsigned w : workers) rte_eal_wait_lcore(w);
  return absl::OkStatus();
}

}  // namespace skiff
