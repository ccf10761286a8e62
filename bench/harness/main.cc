// skiff-bench: connections/s, bulk throughput and request/response latency
// for skiff and for the Linux kernel, side by side in one run.
//
//   skiff-bench --mode=cps,bulk,rr --stack=both --concurrency=1,8,32,128
//       --duration=3 --json=out.json --plot=out.png
//   skiff-bench --mode=rr --concurrency=1,64 --rr_bytes=1
//
// Exit status: 0 measured; 1 a run failed; 2 bad usage or a stack that is
// not built (never a made-up figure).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/harness/report.h"
#include "bench/harness/runner.h"
#include "bench/harness/sys.h"

ABSL_FLAG(std::vector<std::string>, mode, {"cps"},
          "Workloads to run, comma-separated: cps, bulk, rr");
ABSL_FLAG(std::string, stack, "both", "linux, skiff or both");
ABSL_FLAG(std::vector<std::string>, concurrency, {"32"},
          "cps: concurrent connections; rr: connections, each with one "
          "request outstanding; a list (1,8,32,128) is a sweep");
ABSL_FLAG(int, rr_bytes, 64, "rr: bytes in each request and in each answer");
ABSL_FLAG(double, duration, 3.0, "Seconds measured per figure");
ABSL_FLAG(double, warmup, 0.5, "Seconds run unrecorded before each figure");
ABSL_FLAG(std::string, json, "", "Write the results as JSON to this file");
ABSL_FLAG(std::string, plot, "",
          "Write a PNG of conn/s against concurrency to this file");
ABSL_FLAG(std::string, plot_script, SKIFF_PLOT_SCRIPT,
          "The plotting script --plot runs with /usr/bin/python3");
ABSL_FLAG(std::string, target, "",
          "cps only: IP:PORT of an external HTTP server; only the client "
          "side runs (Linux sockets; not supported for skiff yet)");
ABSL_FLAG(int, client_core, 0, "CPU for the client side");
ABSL_FLAG(int, server_core, 1, "CPU for the server side");
ABSL_FLAG(bool, linux_spin, false,
          "Linux threads busy-poll (epoll timeout 0, MSG_DONTWAIT recv) "
          "instead of sleeping when idle, as skiff lcores do");
ABSL_FLAG(int, lcores, 0,
          "cps and bulk on N client and N server threads (lcores) a side: "
          "skiff Stacks over the multi-queue in-process wire, Linux epoll "
          "threads with SO_REUSEPORT; concurrency is per client lcore, and "
          "each thread's CPU time per connection is reported. 0: the classic "
          "one-client, one-server pair");
ABSL_FLAG(bool, hugepages, true,
          "skiff: EAL's memory (mbufs, rings) on hugepages when enough are "
          "free (--in-memory), else --no-huge; false: always --no-huge. The "
          "setup line says which");
ABSL_FLAG(bool, wire_offload, true,
          "skiff: the in-process wire declares IPv4/TCP checksum offload tx+rx "
          "as a NIC port would, and the stacks leave checksums to it; false: "
          "the stacks compute and verify every checksum. The setup line says "
          "which");
ABSL_FLAG(bool, gro, true,
          "skiff: the stacks merge each receive burst's in-order TCP "
          "segments into one super-segment before TCP input (DPDK rte_gro, "
          "StackConfig::gro, on by default). The setup line says which");
ABSL_FLAG(bool, list_stacks, false,
          "Print the stacks this binary can run, one per line, and exit");

namespace skiff::bench {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Options {
  RunParams params;
  std::vector<std::string> stacks;
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "skiff-bench: %s\n", msg.c_str());
  return kExitUsage;
}

// Fills `o` from the flags; returns 0 or an exit status.
int ParseOptions(int argc, char** argv, Options& o) {
  RunParams& p = o.params;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) p.command += ' ';
    p.command += argv[i];
  }
  p.modes = absl::GetFlag(FLAGS_mode);
  for (const std::string& m : p.modes) {
    if (m != "cps" && m != "bulk" && m != "rr")
      return Usage("unknown --mode " + m + " (cps, bulk, rr)");
  }
  for (const std::string& c : absl::GetFlag(FLAGS_concurrency)) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
    if (ec != std::errc() || ptr != c.data() + c.size() || v < 1)
      return Usage("bad --concurrency " + c);
    p.concurrency.push_back(v);
  }
  p.lcores = absl::GetFlag(FLAGS_lcores);
  if (p.lcores < 0 || p.lcores > 64) return Usage("--lcores in [0, 64]");
  if (p.lcores > 0) {
    for (const std::string& m : p.modes) {
      if (m == "rr") {
        return Usage(
            "--lcores runs cps and bulk only (rr's server is one thread)");
      }
    }
  }
  p.window = {absl::GetFlag(FLAGS_duration), absl::GetFlag(FLAGS_warmup)};
  if (p.window.duration_s <= 0 || p.window.warmup_s < 0)
    return Usage("--duration must be > 0 and --warmup >= 0");
  std::string target = absl::GetFlag(FLAGS_target);
  if (!target.empty()) {
    p.target = Endpoint::Parse(target);
    if (!p.target) return Usage("bad --target " + target + " (want IP:PORT)");
    for (const std::string& m : p.modes) {
      if (m != "cps") return Usage("--target supports --mode=cps only");
    }
  }
  std::string stack = absl::GetFlag(FLAGS_stack);
  if (stack == "both") {
    o.stacks = {"skiff", "linux"};
  } else if (stack == "linux" || stack == "skiff") {
    o.stacks = {stack};
  } else {
    return Usage("unknown --stack " + stack + " (linux, skiff, both)");
  }
  if (p.target && o.stacks.front() == "skiff") {
    // Never a made-up figure: skiff has no runner over a real port yet.
    return Usage(
        "--target is not supported for skiff yet (it needs a runner over a "
        "DPDK port, e.g. af_packet into a lab network); use --stack=linux");
  }
  p.machine = GetMachineInfo();
  p.placement = {absl::GetFlag(FLAGS_client_core),
                 absl::GetFlag(FLAGS_server_core), true, p.machine.cores};
  if (p.machine.cores < 2) {
    p.placement.pin = false;
    std::fprintf(stderr,
                 "skiff-bench: %d core(s): client and server threads are not "
                 "pinned and share the CPU\n",
                 p.machine.cores);
  }
  p.bulk_write_size = BulkParams().write_size;
  const int rr_bytes = absl::GetFlag(FLAGS_rr_bytes);
  // An answer must fit an empty send buffer in one write (linux_rr.cc).
  if (rr_bytes < 1 || rr_bytes > 4096) return Usage("--rr_bytes in [1, 4096]");
  p.rr_message_size = static_cast<size_t>(rr_bytes);
  return 0;
}

absl::Status RunStack(Runner& runner, const RunParams& p, StackReport& out) {
  out.name = std::string(runner.name());
  for (const std::string& mode : p.modes) {
    if (mode == "cps") {
      for (int c : p.concurrency) {
        std::fprintf(stderr, "skiff-bench: %s cps c=%d ...\n", out.name.c_str(),
                     c);
        auto r = runner.RunCps({p.window, c, p.target, p.lcores});
        if (!r.ok()) return r.status();
        out.cps.push_back({c, std::move(*r)});
      }
    } else if (mode == "bulk") {
      std::fprintf(stderr, "skiff-bench: %s bulk ...\n", out.name.c_str());
      auto r = runner.RunBulk({p.window, p.bulk_write_size, p.lcores});
      if (!r.ok()) return r.status();
      out.bulk = *r;
    } else {
      for (int c : p.concurrency) {
        std::fprintf(stderr, "skiff-bench: %s rr c=%d ...\n", out.name.c_str(),
                     c);
        auto r = runner.RunRr({p.window, p.rr_message_size, c});
        if (!r.ok()) return r.status();
        out.rr.push_back({c, std::move(*r)});
      }
    }
  }
  // After the runs: the setup line says what they ran on (hugepages or not).
  out.description = runner.Describe();
  return absl::OkStatus();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return f.good();
}

// Runs /usr/bin/python3 SCRIPT JSON PNG and waits; true on exit status 0.
bool Plot(const std::string& script, const std::string& json,
          const std::string& png) {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    execl("/usr/bin/python3", "python3", script.c_str(), json.c_str(),
          png.c_str(), static_cast<char*>(nullptr));
    std::perror("skiff-bench: exec /usr/bin/python3");
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int WriteOutputs(const RunParams& params,
                 const std::vector<StackReport>& reports) {
  std::fputs(FormatTable(params, reports).c_str(), stdout);
  std::fflush(stdout);
  std::string json_text = FormatJson(params, reports);
  std::string json_path = absl::GetFlag(FLAGS_json);
  std::string png = absl::GetFlag(FLAGS_plot);
  if (json_path.empty() && !png.empty()) json_path = png + ".json";
  if (!json_path.empty() && !WriteFile(json_path, json_text)) {
    std::fprintf(stderr, "skiff-bench: cannot write %s\n", json_path.c_str());
    return kExitFailed;
  }
  if (!png.empty() && !Plot(absl::GetFlag(FLAGS_plot_script), json_path, png)) {
    std::fprintf(stderr,
                 "skiff-bench: plotting failed (needs /usr/bin/python3 with "
                 "python3-matplotlib); the table and JSON stand\n");
    return kExitFailed;
  }
  return 0;
}

int Main(int argc, char** argv) {
  if (absl::GetFlag(FLAGS_list_stacks)) {
    std::puts("linux");
    if (MakeSkiffRunner({}).ok()) std::puts("skiff");
    return 0;
  }
  Options o;
  if (int rc = ParseOptions(argc, argv, o); rc != 0) return rc;
  std::vector<std::unique_ptr<Runner>> runners;
  for (const std::string& name : o.stacks) {
    if (name == "linux") {
      runners.push_back(
          MakeLinuxRunner({o.params.placement, absl::GetFlag(FLAGS_linux_spin),
                           o.params.lcores}));
      continue;
    }
    auto skiff = MakeSkiffRunner(
        {o.params.placement, o.params.lcores, absl::GetFlag(FLAGS_hugepages),
         absl::GetFlag(FLAGS_wire_offload), absl::GetFlag(FLAGS_gro)});
    if (!skiff.ok()) {
      std::fprintf(stderr,
                   "skiff-bench: %s: no skiff figures can be measured; use "
                   "--stack=linux for the Linux baseline alone\n",
                   std::string(skiff.status().message()).c_str());
      return kExitUsage;
    }
    runners.push_back(std::move(*skiff));
  }
  std::vector<StackReport> reports(runners.size());
  for (size_t i = 0; i < runners.size(); ++i) {
    absl::Status s = RunStack(*runners[i], o.params, reports[i]);
    if (!s.ok()) {
      std::fprintf(stderr, "skiff-bench: %s: %s\n", reports[i].name.c_str(),
                   s.ToString().c_str());
      return kExitFailed;
    }
  }
  return WriteOutputs(o.params, reports);
}

}  // namespace
}  // namespace skiff::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "skiff and Linux TCP side by side: --mode=cps,bulk,rr "
      "--stack=linux|skiff|both --concurrency=1,8,32 --duration=3 "
      "--json=FILE --plot=FILE.png");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  (void)args;
  return skiff::bench::Main(argc, argv);
}
