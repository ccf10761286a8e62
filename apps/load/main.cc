// skiff-load: a connection-rate load generator for other people's servers,
// with skiff's own TCP on a DPDK port, on one lcore or, when the EAL
// arguments name several (-l 0-1), one StackCore and engine per lcore.
//
//   skiff-load [EAL args] -- --ip=10.88.0.2/24 [--gateway=IP]
//       http://A.B.C.D[:port]/path | tcp://A.B.C.D:port
//       [--workload=cps|rps|cc|bulk] [--concurrency=C] [--rate=R]
//       [--duration_s=S] [--count=N] [--ramp_s=S] [--close=fin|rst]
//       [--src_ips=10.88.0.2-10.88.0.5] [--json=F] [--csv=F] [--plot=F.png]
//       [--max_errors=N] [--max_error_ratio=X]
//
// --ip, --gateway, --dpdk_port, --link_wait_ms, --mbufs (default 65535) and
// --pcap (a file per lcore on several) are the host flags
// (apps/common/app_host.h). Prints a live line per second and a final table (on
// several lcores one merged table, then a line per lcore). Exit 0; 3 when
// errors exceed --max_errors or --max_error_ratio; 1 on a start-up failure.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "apps/common/app_host.h"
#include "apps/common/lcore_group.h"
#include "apps/common/lcore_start.h"
#include "apps/common/pcap_flags.h"
#include "apps/get/client.h"
#include "apps/load/engine.h"
#include "apps/load/lcore_merge.h"
#include "apps/load/report.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"

ABSL_FLAG(std::string, src_ips, "",
          "local addresses to connect from, round robin: A-B and/or A,B "
          "(all in --ip's subnet; default: --ip's address)");
ABSL_FLAG(std::string, workload, "cps", "cps, rps, cc or bulk");
ABSL_FLAG(std::string, close, "fin", "how we close: fin or rst");
ABSL_FLAG(int, concurrency, 16,
          "cps: requests in flight (closed loop); rps/cc/bulk: connections");
ABSL_FLAG(double, rate, 0,
          "open loop: new connections/s (cps) or requests/s (rps); 0: "
          "closed loop");
ABSL_FLAG(int, max_in_flight, 100000, "open loop: requests in flight at most");
ABSL_FLAG(double, duration_s, 10, "how long to run");
ABSL_FLAG(int64_t, count, 0, "stop after this many requests (0: no bound)");
ABSL_FLAG(double, ramp_s, 0, "climb to the rate or concurrency over this");
ABSL_FLAG(int, timeout_ms, 5000, "per request, connect included");
ABSL_FLAG(int, keepalive_ms, 1000, "cc: request period per connection");
ABSL_FLAG(int, drain_ms, 2000, "after the run, time for answers in flight");
ABSL_FLAG(int, raw_send, 64, "tcp://: bytes per request (bulk: per write)");
ABSL_FLAG(int, raw_recv, 64, "tcp://: bytes that complete an answer");
ABSL_FLAG(int, time_wait_ms, 60000, "TIME-WAIT of connections we close first");
ABSL_FLAG(std::string, json, "", "write the results as JSON here");
ABSL_FLAG(std::string, csv, "", "write one row per second here");
ABSL_FLAG(std::string, plot, "", "draw rates and latency to this PNG");
ABSL_FLAG(int64_t, max_errors, -1, "exit 3 when errors exceed this (-1: off)");
ABSL_FLAG(double, max_error_ratio, -1,
          "exit 3 when errors / requests exceed this (-1: off)");
ABSL_FLAG(bool, quiet, false, "no live line");

namespace skiff::load {
namespace {

constexpr char kName[] = "skiff-load";
// RunFor's bound when the loop itself decides the end.
constexpr Duration kForever = Duration::Seconds(int64_t{100} * 365 * 86400);

int Usage(const std::string& why) {
  std::fprintf(stderr, "skiff-load: %s\n", why.c_str());
  return 2;
}

// The target: http://... (HTTP) or tcp://ip:port (raw).
bool ParseTarget(const std::string& text, LoadConfig& lc, std::string* why) {
  std::string url = text;
  if (url.rfind("tcp://", 0) == 0) {
    lc.protocol = Protocol::kRaw;
    url = "http://" + url.substr(6);
  }
  absl::StatusOr<Url> u = ParseUrl(url);
  if (!u.ok()) {
    *why = std::string(u.status().message());
    return false;
  }
  lc.server = u->ip;
  lc.port = u->port;
  lc.path = u->path;
  lc.host = u->host;
  return true;
}

std::optional<LoadConfig> ConfigFromFlags(const std::string& target,
                                          std::string* why) {
  LoadConfig lc;
  if (!ParseTarget(target, lc, why)) return std::nullopt;
  std::optional<Workload> w = ParseWorkload(absl::GetFlag(FLAGS_workload));
  const std::string close = absl::GetFlag(FLAGS_close);
  if (!w || (close != "fin" && close != "rst")) {
    *why = "--workload is cps|rps|cc|bulk, --close is fin|rst";
    return std::nullopt;
  }
  lc.workload = *w;
  lc.close = close == "rst" ? CloseMode::kRst : CloseMode::kFin;
  const int conc = absl::GetFlag(FLAGS_concurrency);
  const double rate = absl::GetFlag(FLAGS_rate);
  if (conc < 1 || rate < 0 || absl::GetFlag(FLAGS_duration_s) <= 0 ||
      absl::GetFlag(FLAGS_timeout_ms) < 1 ||
      absl::GetFlag(FLAGS_raw_send) < 0 || absl::GetFlag(FLAGS_raw_recv) < 1 ||
      absl::GetFlag(FLAGS_max_in_flight) < 1) {
    *why = "--concurrency, --duration_s, --timeout_ms, --raw_recv must be > 0";
    return std::nullopt;
  }
  lc.concurrency = static_cast<uint32_t>(conc);
  lc.rate = rate;
  lc.max_in_flight = static_cast<uint32_t>(absl::GetFlag(FLAGS_max_in_flight));
  auto secs = [](double s) {
    return Duration::Nanos(static_cast<int64_t>(s * 1e9));
  };
  lc.duration = secs(absl::GetFlag(FLAGS_duration_s));
  lc.ramp = secs(absl::GetFlag(FLAGS_ramp_s));
  lc.count =
      static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_count)));
  lc.timeout = Duration::Millis(absl::GetFlag(FLAGS_timeout_ms));
  lc.keepalive_interval = Duration::Millis(absl::GetFlag(FLAGS_keepalive_ms));
  lc.drain = Duration::Millis(absl::GetFlag(FLAGS_drain_ms));
  lc.raw_send = static_cast<size_t>(absl::GetFlag(FLAGS_raw_send));
  lc.raw_recv = static_cast<size_t>(absl::GetFlag(FLAGS_raw_recv));
  if (const std::string src = absl::GetFlag(FLAGS_src_ips); !src.empty()) {
    std::optional<std::vector<Ipv4Address>> list = ParseAddressList(src);
    if (!list) {
      *why = "bad --src_ips (A-B or A,B,...)";
      return std::nullopt;
    }
    lc.sources = *list;
  }
  return lc;
}

void WriteOutputs(const RunSummary& sum) {
  if (const std::string f = absl::GetFlag(FLAGS_json); !f.empty())
    if (absl::Status st = WriteFile(f, ToJson(sum)); !st.ok())
      std::fprintf(stderr, "skiff-load: %s\n", st.ToString().c_str());
  std::string csv = absl::GetFlag(FLAGS_csv);
  const std::string png = absl::GetFlag(FLAGS_plot);
  if (csv.empty() && !png.empty()) csv = png + ".csv";
  if (!csv.empty())
    if (absl::Status st = WriteFile(csv, ToCsv(sum)); !st.ok())
      std::fprintf(stderr, "skiff-load: %s\n", st.ToString().c_str());
  if (!png.empty()) {
    const std::string cmd =
        absl::StrCat("/usr/bin/python3 ", SKIFF_LOAD_PLOT_SCRIPT, " '", csv,
                     "' '", png, "'");
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "skiff-load: plotting failed: %s\n", cmd.c_str());
  }
}

// Exit 3 when the errors pass a bound given on the command line.
int ExitCode(const LoadCounters& t) {
  const int64_t max = absl::GetFlag(FLAGS_max_errors);
  const double ratio = absl::GetFlag(FLAGS_max_error_ratio);
  const uint64_t errs = t.error_total();
  if (max >= 0 && errs > static_cast<uint64_t>(max)) return 3;
  if (ratio >= 0 && t.requests_sent > 0 &&
      static_cast<double>(errs) / static_cast<double>(t.requests_sent) > ratio)
    return 3;
  return 0;
}

// Ends a run's summary from what the engines left (one or several).
void Finish(RunSummary& sum) {
  for (const LoadSample& s : sum.samples)
    sum.max_held = std::max(sum.max_held, s.held);
  std::printf("%s", FormatFinal(sum).c_str());
  std::fflush(stdout);
  WriteOutputs(sum);
}

// One lcore: the engine on the LcoreHost's stack, as before issue 10.
int RunOne(const LcoreConfig& config, const LoadConfig& lc) {
  absl::StatusOr<std::unique_ptr<LcoreHost>> opened = LcoreHost::Open(config);
  if (!opened.ok()) {
    std::fprintf(stderr, "skiff-load: %s\n",
                 opened.status().ToString().c_str());
    return 1;
  }
  LcoreHost& lcore = **opened;
  LoadEngine engine(lcore.stack(), lc);
  RunSummary sum;
  sum.config = lc;
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  const Instant start = lcore.Now();
  engine.Start(start);
  Instant next_sample = start + Duration::Seconds(1);
  Instant now = start;
  // Signals stop the engine, which then drains: the loop ends when it is
  // done, not at the signal.
  lcore.RunFor(kForever, [&](Instant t) {
    now = t;
    if (AppHost::stop_requested()) engine.Stop(now);
    engine.Poll(now);
    if (now >= next_sample) {
      sum.samples.push_back(engine.TakeSample(now));
      sum.max_held = std::max(sum.max_held, sum.samples.back().held);
      if (!quiet)
        std::fprintf(stderr, "%s\n", FormatLive(sum.samples.back()).c_str());
      next_sample += Duration::Seconds(1);
    }
    return !engine.done();
  });
  if ((now - start).seconds() -
          (sum.samples.empty() ? 0 : sum.samples.back().t) >
      0.05)
    sum.samples.push_back(engine.TakeSample(now));
  sum.elapsed = (now - start).seconds();
  sum.seconds = engine.run_time().seconds();
  // Let the last ACKs and FINs reach the wire.
  lcore.RunFor(Duration::Millis(200), [&](Instant t) {
    lcore.stack().Poll(t);
    return true;
  });
  sum.totals = engine.totals();
  sum.latency = &engine.latency();
  sum.retransmits = lcore.stack().counters().tcp.retransmits;
  Finish(sum);
  lcore.FinishCapture(stderr);
  return ExitCode(sum.totals);
}

// Several lcores (EAL's -l/-c/--lcores, issue 10): one StackCore and engine per
// lcore on its own queue pair (apps/common/lcore_group.h), each with its
// share of the run (SplitConfig) and opening from ports whose replies come
// back to its queue; the lcores' samples, counters and histograms merge
// into one report. --pcap writes a file per lcore (LcorePcapPath).
int RunLcores(const AppHost& host, const StackConfig& sc, const LoadConfig& lc,
              uint16_t n) {
  if (!CanSplit(lc, n)) {
    return Usage(absl::StrFormat(
        "on %u lcores --concurrency, --max_in_flight and --count (when set) "
        "must be at least %u",
        n, n));
  }
  MonotonicClock clock;
  absl::StatusOr<StartedLcores> started =
      StartLcores("skiff-load", host.lcore_config(), sc, n, clock.Now());
  if (!started.ok()) {
    std::fprintf(stderr, "skiff-load: %s\n",
                 started.status().ToString().c_str());
    return 1;
  }
  LcoreGroup& group = *started->group;
  std::vector<std::unique_ptr<LoadEngine>> engines;
  for (uint16_t k = 0; k < n; ++k)
    engines.push_back(
        std::make_unique<LoadEngine>(group.stack(k), SplitConfig(lc, n, k)));

  RunSummary sum;
  sum.config = lc;
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  SampleMerger merger(n, [&](const LoadSample& s) {
    sum.samples.push_back(s);
    if (!quiet) std::fprintf(stderr, "%s\n", FormatLive(s).c_str());
  });
  // Per lcore, touched only by its own lcore until Run returns.
  struct Lane {
    bool started = false;
    Instant start;
    Instant next_sample;
    Instant last;
    Instant flush_end = Instant::Max();
  };
  std::vector<Lane> lanes(n);
  const Instant start = clock.Now();
  absl::Status run = group.Run([&](uint16_t k, Instant now) {
    LoadEngine& e = *engines[k];
    Lane& l = lanes[k];
    if (!l.started) {
      l.started = true;
      l.start = now;
      l.next_sample = now + Duration::Seconds(1);
      e.Start(now);
    }
    if (!e.done()) {
      if (AppHost::stop_requested()) e.Stop(now);
      e.Poll(now);
      if (now >= l.next_sample) {
        const bench::Histogram interval = e.interval_latency();
        merger.Add(k, e.TakeSample(now), interval);
        l.next_sample += Duration::Seconds(1);
      }
      if (!e.done()) return true;
      l.last = now;
      if ((now - l.start).seconds() - (l.next_sample - l.start).seconds() +
              1.0 >
          0.05) {
        const bench::Histogram interval = e.interval_latency();
        merger.Add(k, e.TakeSample(now), interval);
      }
      l.flush_end = now + Duration::Millis(200);
    }
    // Let the last ACKs and FINs reach the wire.
    group.stack(k).Poll(now);
    return now < l.flush_end;
  });
  if (!run.ok()) {
    std::fprintf(stderr, "skiff-load: %s\n", run.ToString().c_str());
    return 1;
  }
  merger.Finish();
  bench::Histogram latency;
  for (uint16_t k = 0; k < n; ++k) {
    const LoadEngine& e = *engines[k];
    sum.totals += e.totals();
    latency.Merge(e.latency());
    sum.retransmits += group.stack(k).counters().tcp.retransmits;
    sum.seconds = std::max(sum.seconds, e.run_time().seconds());
    sum.elapsed = std::max(sum.elapsed, (lanes[k].last - start).seconds());
  }
  sum.latency = &latency;
  Finish(sum);
  // The stacks' counters summed over the lcores, then what each did.
  std::fprintf(stderr, "counters:\n%s", group.FormatCounters().c_str());
  for (uint16_t k = 0; k < n; ++k) {
    const LoadCounters& t = engines[k]->totals();
    std::fprintf(stderr,
                 "lcore %u: %lu conns, %lu requests completed, %lu errors, "
                 "tcp resets_in %lu\n",
                 k, t.conns_opened, t.requests_done, t.error_total(),
                 group.stack(k).counters().tcp.resets_in);
  }
  std::fprintf(stderr, "%s", group.FormatDispatch().c_str());
  started->captures->Finish(stderr);
  return ExitCode(sum.totals);
}

int Run(const AppHost& host, const LoadConfig& lc) {
  LcoreConfig config = host.lcore_config();
  StackConfig& sc = config.stack;
  // The sources become the stack's extra addresses (the primary may be one
  // of them): ARP answers for each, connections go out from each.
  for (Ipv4Address a : lc.sources)
    if (a != sc.address.addr) sc.extra_addresses.push_back(a);
  sc.tcp.connection.time_wait =
      Duration::Millis(absl::GetFlag(FLAGS_time_wait_ms));
  if (const uint16_t n = StackLcores(host.eal().args()); n > 1)
    return RunLcores(host, sc, lc, n);
  return RunOne(config, lc);
}

int Main(int argc, char** argv) {
  absl::StatusOr<std::unique_ptr<AppHost>> host = AppHost::Start(
      argc, argv,
      {.name = kName,
       .usage = "skiff-load [EAL args] -- --ip=10.88.0.2/24 "
                "http://A.B.C.D[:port]/path [--workload=cps|rps|cc|bulk] "
                "[--concurrency=C] [--rate=R] ...",
       .default_mbufs = 65535});
  if (!host.ok()) return AppHost::Fail(kName, host.status());
  const std::vector<char*>& rest = (*host)->args();
  if (rest.size() != 2) return Usage("give exactly one target URL");
  std::string why;
  std::optional<LoadConfig> lc = ConfigFromFlags(rest[1], &why);
  if (!lc) return Usage(why);
  return Run(**host, *lc);
}

}  // namespace
}  // namespace skiff::load

int main(int argc, char** argv) { return skiff::load::Main(argc, argv); }
