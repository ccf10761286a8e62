#include "drivers/dpdk/eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace skiff {
namespace {

// True if `args` has option `name`, alone ("--x v") or joined ("--x=v").
bool HasOption(const std::vector<std::string>& args, std::string_view name) {
  for (const std::string& a : args) {
    std::string_view v = a;
    if (v == name) return true;
    if (v.size() > name.size() && v.starts_with(name) && v[name.size()] == '=')
      return true;
  }
  return false;
}

// `-m 512` or `-m512`.
bool HasMemoryOption(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (std::string_view(a).starts_with("-m")) return true;
  }
  return HasOption(args, "--socket-mem");
}

}  // namespace

EalHostFacts ProbeHost() {
  EalHostFacts host;
  host.pid = static_cast<int>(getpid());
  std::ifstream mounts("/proc/mounts");
  std::string device, mount_point, fs_type, rest;
  while (mounts >> device >> mount_point >> fs_type) {
    std::getline(mounts, rest);
    if (fs_type == "hugetlbfs") host.hugetlbfs_mounted = true;
  }
  std::error_code ec;
  for (const auto& dir :
       std::filesystem::directory_iterator("/sys/kernel/mm/hugepages", ec)) {
    std::ifstream in(dir.path() / "free_hugepages");
    uint64_t n = 0, kb = 0;
    if (!(in >> n)) continue;
    host.free_hugepages += n;
    // "hugepages-2048kB"
    const std::string dname = dir.path().filename().string();
    if (std::sscanf(dname.c_str(), "hugepages-%lukB", &kb) == 1) {
      host.free_hugepage_mb += n * kb / 1024;
    }
  }
  return host;
}

EalPlan PlanEalArgs(int argc, const char* const* argv,
                    const EalHostFacts& host) {
  EalPlan plan;
  plan.args.push_back(argc > 0 ? argv[0] : "skiff");
  int i = 1;
  for (; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    plan.args.push_back(argv[i]);
  }
  plan.app_start = i < argc ? i : (argc > 0 ? argc - 1 : 0);

  std::vector<std::string>& a = plan.args;
  const bool hugepages = host.hugetlbfs_mounted && host.free_hugepages > 0;
  if (HasOption(a, "--no-huge")) {
    plan.notes.push_back("--no-huge given: running without hugepages");
  } else if (hugepages) {
    plan.notes.push_back(
        absl::StrFormat("%u free hugepages: using them", host.free_hugepages));
  } else if (HasOption(a, "--in-memory") || HasOption(a, "--socket-mem")) {
    // --no-huge goes with neither; leave the choice to the user and EAL.
    plan.notes.push_back(
        "no free hugepages, but --in-memory/--socket-mem given: not adding "
        "--no-huge (EAL may fail)");
  } else {
    a.push_back("--no-huge");
    std::string why =
        host.hugetlbfs_mounted ? "no free hugepages" : "no hugetlbfs mounted";
    if (!HasMemoryOption(a)) {
      a.push_back("-m");
      a.push_back("512");
      plan.notes.push_back(why + ": adding --no-huge -m 512");
    } else {
      plan.notes.push_back(why + ": adding --no-huge");
    }
  }
  // Only virtual devices asked for: keep EAL's hands off the host's PCI
  // NICs (a PMD may otherwise try to claim the VM's own virtio port).
  bool names_pci = HasOption(a, "--allow") || HasOption(a, "--block") ||
                   HasOption(a, "--no-pci");
  for (const std::string& arg : a)  // -a BDF, -aBDF, -b BDF, -bBDF
    names_pci |= arg.starts_with("-a") || arg.starts_with("-b");
  if (HasOption(a, "--vdev") && !names_pci) {
    a.push_back("--no-pci");
    plan.notes.push_back("only --vdev devices given: adding --no-pci");
  }
  if (!HasOption(a, "--file-prefix")) {
    std::string prefix = absl::StrFormat("skiff-%d", host.pid);
    a.push_back("--file-prefix");
    a.push_back(prefix);
    plan.notes.push_back("adding --file-prefix " + prefix);
    plan.own_prefix = true;
  }
  return plan;
}

namespace {

// Lets DPDK's capture tools (dpdk-dumpcap, dpdk-pdump) attach to this, the
// primary process, as secondaries: rte_pdump_init registers the IPC action
// they call to install rx/tx callbacks on our ports. Without shared runtime
// files there is nothing to attach to. A failure only costs that feature.
bool StartPdump(const std::vector<std::string>& args) {
  if (rte_eal_process_type() != RTE_PROC_PRIMARY ||
      HasOption(args, "--no-shconf") || HasOption(args, "--in-memory")) {
    return false;
  }
  if (rte_pdump_init() != 0) {
    std::fprintf(stderr,
                 "skiff: eal: rte_pdump_init failed (%s): no "
                 "dpdk-dumpcap; --pcap=FILE still captures\n",
                 rte_strerror(rte_errno));
    return false;
  }
  std::fprintf(
      stderr,
      "skiff: eal: capture with: dpdk-dumpcap --file-prefix=%s "
      "-i 0 -w FILE\n",
      std::filesystem::path(rte_eal_get_runtime_dir()).filename().c_str());
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Eal>> Eal::Init(int argc, char** argv,
                                               int* consumed) {
  EalPlan plan = PlanEalArgs(argc, argv, ProbeHost());
  for (const std::string& note : plan.notes) {
    std::fprintf(stderr, "skiff: eal: %s\n", note.c_str());
  }
  std::fprintf(stderr, "skiff: eal: %s\n",
               absl::StrJoin(plan.args, " ").c_str());

  // rte_eal_init permutes its argv; give it a copy of the pointers. Moving
  // the vector into Eal afterwards keeps the strings where they are.
  std::vector<std::string> args = std::move(plan.args);
  std::vector<char*> eal_argv;
  for (std::string& s : args) eal_argv.push_back(s.data());
  eal_argv.push_back(nullptr);
  int rc = rte_eal_init(static_cast<int>(eal_argv.size() - 1), eal_argv.data());
  if (rc < 0) {
    return absl::InternalError(
        absl::StrFormat("rte_eal_init failed: %s", rte_strerror(rte_errno)));
  }
  if (consumed != nullptr) {
    *consumed = plan.app_start;
    if (argc > 0) argv[plan.app_start] = argv[0];
  }
  std::string runtime_dir = plan.own_prefix ? rte_eal_get_runtime_dir() : "";
  const bool pdump = StartPdump(args);
  return std::unique_ptr<Eal>(
      new Eal(std::move(args), std::move(runtime_dir), pdump));
}

std::vector<std::string> PlanInProcessArgs(std::string_view name, int memory_mb,
                                           InProcessMemory mem,
                                           const EalHostFacts& host,
                                           bool* hugepages, std::string* note) {
  const uint64_t want = static_cast<uint64_t>(std::max(memory_mb, 0));
  *hugepages = mem == InProcessMemory::kHugepagesIfFree &&
               host.hugetlbfs_mounted && host.free_hugepage_mb >= want;
  if (mem == InProcessMemory::kNoHuge) {
    *note = "--no-huge: 4 KiB pages";
  } else if (*hugepages) {
    *note = absl::StrFormat("hugepages: %u of %u free MiB", want,
                            host.free_hugepage_mb);
  } else {
    *note = absl::StrFormat(
        "--no-huge: %s",
        host.hugetlbfs_mounted
            ? absl::StrFormat("%u MiB of hugepages free, %u needed",
                              host.free_hugepage_mb, want)
            : std::string("no hugetlbfs mounted"));
  }
  std::vector<std::string> args = {std::string(name)};
  if (*hugepages) {
    args.push_back("--in-memory");  // implies --no-shconf, no files left
  } else {
    args.push_back("--no-huge");
    args.push_back("--no-shconf");
  }
  args.push_back("-m");
  args.push_back(std::to_string(memory_mb));
  for (const char* a :
       {"--no-pci", "--no-telemetry", "--log-level=error", "-l", "0"}) {
    args.push_back(a);
  }
  return args;
}

absl::StatusOr<std::unique_ptr<Eal>> Eal::InitInProcess(std::string_view name,
                                                        int memory_mb,
                                                        InProcessMemory mem) {
  bool hugepages = false;
  std::string note;
  std::vector<std::string> args =
      PlanInProcessArgs(name, memory_mb, mem, ProbeHost(), &hugepages, &note);
  if (mem != InProcessMemory::kNoHuge) {
    std::fprintf(stderr, "%s: EAL memory: %s\n", std::string(name).c_str(),
                 note.c_str());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int consumed = 0;
  return Init(static_cast<int>(args.size()), argv.data(), &consumed);
}

bool Eal::hugepages() const { return rte_eal_has_hugepages() != 0; }

Eal::~Eal() {
  if (pdump_) rte_pdump_uninit();
  rte_eal_cleanup();
  if (!owned_runtime_dir_.empty()) {
    std::error_code ec;  // best effort
    std::filesystem::remove_all(owned_runtime_dir_, ec);
  }
}

}  // namespace skiff
