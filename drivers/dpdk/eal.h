// Eal: RAII for DPDK's Environment Abstraction Layer (rte_eal_init /
// rte_eal_cleanup), started from the application's command line:
//
//   skiff-httpd [EAL args] -- [app flags]
//
// Before handing the EAL part over, Init fills in two defaults so that apps
// run anywhere (DESIGN.md, notes on DPDK 22.11):
//  * no --no-huge given and no free hugepages on a mounted hugetlbfs:
//    add `--no-huge -m 512` (use hugepages when present, run without them
//    otherwise);
//  * no --file-prefix given: add `--file-prefix skiff-<pid>` so concurrent
//    processes never share runtime files.
// What was decided is logged to stderr.
#ifndef SKIFF_DRIVERS_DPDK_EAL_H_
#define SKIFF_DRIVERS_DPDK_EAL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff {

// What Init needs to know about the host; read by ProbeHost(), faked in tests.
struct EalHostFacts {
  bool hugetlbfs_mounted = false;  // a hugetlbfs mount exists (/proc/mounts)
  uint64_t free_hugepages = 0;     // free pages over all hugepage sizes
  uint64_t free_hugepage_mb = 0;   // the same in MiB
  int pid = 0;
};
EalHostFacts ProbeHost();

// The EAL command line Init will use (argv[0] first) and why.
struct EalPlan {
  std::vector<std::string> args;   // passed to rte_eal_init
  std::vector<std::string> notes;  // one line per decision, for the log
  int app_start = 0;        // index in the original argv of "--" (or argc - 1)
  bool own_prefix = false;  // we chose --file-prefix (and clean up after it)
};

// Pure: splits argv at the first "--" and adds the defaults described above.
EalPlan PlanEalArgs(int argc, const char* const* argv,
                    const EalHostFacts& host);

// Where an in-process EAL (Eal::InitInProcess) takes its memory from.
enum class InProcessMemory {
  kNoHuge,           // 4 KiB pages (--no-huge): runs anywhere
  kHugepagesIfFree,  // 2 MiB/1 GiB pages when enough are free, else kNoHuge
};

// Pure: the EAL command line of Eal::InitInProcess. With hugepages it is
// --in-memory (no runtime files, pages taken from the free pool); `-m`
// memory_mb either way. *hugepages says which was chosen and *note why.
std::vector<std::string> PlanInProcessArgs(std::string_view name, int memory_mb,
                                           InProcessMemory mem,
                                           const EalHostFacts& host,
                                           bool* hugepages, std::string* note);

class Eal {
 public:
  // Starts EAL with PlanEalArgs(argc, argv, ProbeHost()). On success
  // *consumed is the index of the app's part, and argv[*consumed] is set to
  // argv[0], so that the app parses its own flags with
  //   absl::ParseCommandLine(argc - *consumed, argv + *consumed)
  // (the same convention as `argv += rte_eal_init(argc, argv)`). Without a
  // "--" everything is EAL's and the app sees only its program name.
  // EAL can be started once per process.
  static absl::StatusOr<std::unique_ptr<Eal>> Init(int argc, char** argv,
                                                   int* consumed);
  // EAL for a process with no DPDK ports of its own (benchmarks, tools): no
  // PCI, no shared runtime files, `memory_mb` of heap from `mem`, the
  // calling thread as lcore 0. `name` shows up in EAL's logs.
  static absl::StatusOr<std::unique_ptr<Eal>> InitInProcess(
      std::string_view name, int memory_mb,
      InProcessMemory mem = InProcessMemory::kNoHuge);
  // rte_eal_cleanup(); removes the runtime directory (/var/run/dpdk/<prefix>)
  // if Init chose the prefix, since EAL leaves it behind.
  ~Eal();
  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

  // The arguments EAL was started with.
  const std::vector<std::string>& args() const { return args_; }
  // Whether EAL's memory (mbufs, rings, rte_malloc) sits on hugepages.
  bool hugepages() const;

 private:
  Eal(std::vector<std::string> args, std::string runtime_dir, bool pdump)
      : args_(std::move(args)),
        owned_runtime_dir_(std::move(runtime_dir)),
        pdump_(pdump) {}
  std::vector<std::string> args_;  // EAL may keep pointers into these
  std::string owned_runtime_dir_;  // empty unless ours to remove
  bool pdump_;                     // rte_pdump_init succeeded
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DPDK_EAL_H_
