// skiff-load-sim: skiff-load's engine against skiff-httpd's server logic
// over the in-process wire, both stacks polled in turn on one core: the
// ceiling of the generator without a NIC (a measurement, not a test).
//
//   build/bench/load/skiff-load-sim [--workload=cps|rps] [--concurrency=C]
//                                   [--duration_s=S] [--close=rst|fin]
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "apps/httpd/server.h"
#include "apps/load/engine.h"
#include "apps/load/report.h"
#include "bench/harness/skiff_env.h"
#include "stack/base/clock.h"

ABSL_FLAG(std::string, workload, "cps", "cps or rps");
ABSL_FLAG(int, concurrency, 16, "in flight (cps) or connections (rps)");
ABSL_FLAG(double, duration_s, 3, "how long");
ABSL_FLAG(std::string, close, "rst", "rst or fin");

namespace skiff::load {
namespace {

int Main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto env = bench::SkiffEnv::Start();
  if (!env.ok()) {
    std::fprintf(stderr, "%s\n", env.status().ToString().c_str());
    return 1;
  }
  TcpLayerConfig tcp;
  tcp.connection.time_wait = Duration::Millis(100);
  auto pair = bench::MakeSkiffPair(**env, tcp);
  if (!pair.ok()) return 1;
  {
    HttpServer server(*(*pair)->server, http::HttpServerConfig{}, nullptr,
                      [] { return int64_t{0}; });
    if (!server.Listen(bench::kSkiffPort, 4096)) return 1;
    LoadConfig lc;
    lc.server = bench::kSkiffServerIp;
    lc.port = bench::kSkiffPort;
    lc.workload = absl::GetFlag(FLAGS_workload) == "rps" ? Workload::kRps
                                                         : Workload::kCps;
    lc.close =
        absl::GetFlag(FLAGS_close) == "fin" ? CloseMode::kFin : CloseMode::kRst;
    lc.concurrency = static_cast<uint32_t>(absl::GetFlag(FLAGS_concurrency));
    lc.duration = Duration::Nanos(
        static_cast<int64_t>(absl::GetFlag(FLAGS_duration_s) * 1e9));
    LoadEngine engine(*(*pair)->client, lc);
    MonotonicClock clock;
    (*pair)->client->Start(clock.Now());
    (*pair)->server->Start(clock.Now());
    const Instant start = clock.Now();
    engine.Start(start);
    while (!engine.done()) {
      const Instant now = clock.Now();
      engine.Poll(now);
      server.Poll(now);
    }
    RunSummary sum;
    sum.config = lc;
    sum.elapsed = (clock.Now() - start).seconds();
    sum.seconds = engine.run_time().seconds();
    sum.totals = engine.totals();
    sum.latency = &engine.latency();
    std::printf("%s", FormatFinal(sum).c_str());
    server.CloseAll();
    for (Instant end = clock.Now() + Duration::Millis(300); clock.Now() < end;)
      server.Poll(clock.Now()), (*pair)->client->Poll(clock.Now());
  }
  pair->reset();
  return 0;
}

}  // namespace
}  // namespace skiff::load

int main(int argc, char** argv) { return skiff::load::Main(argc, argv); }
