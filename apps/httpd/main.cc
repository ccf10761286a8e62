// skiff-httpd: the demo web server (DESIGN.md, Apps).
//
//   skiff-httpd [EAL args] -- --ip=10.88.0.2/24 [--gateway=10.88.0.1]
//               [--port=80] [--root=DIR]
//
// Starts EAL, opens DPDK port 0, runs one StackCore with an HttpServer on it
// and busy-polls it, as DPDK applications do, until SIGINT or SIGTERM. SIGUSR1
// prints one "status:" line (mbufs in use, connections, buffer chunks) and
// goes on serving. On SIGINT or SIGTERM it
// stops accepting, lets open connections finish for up to
// --drain_ms, closes the rest, prints its counters (HTTP, the stack's, the
// port's, live connections and mbufs in use) and exits 0.
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "apps/common/app_host.h"
#include "apps/common/lcore_group.h"
#include "apps/common/pcap_flags.h"
#include "apps/http/doc_root.h"
#include "apps/http/server_session.h"
#include "apps/httpd/server.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"

// --ip, --gateway, --dpdk_port, --link_wait_ms, --mbufs and --pcap are the
// host flags (apps/common/app_host.h).
ABSL_FLAG(int, port, 80, "TCP port to serve HTTP on");
ABSL_FLAG(std::string, root, "",
          "directory to serve (nothing outside it is reachable); empty: a "
          "built-in page at /");
ABSL_FLAG(int, backlog, 4096, "SYN and accept queue length");
ABSL_FLAG(int, buffer_pool_kb, 0,
          "TCP send/receive buffer pool in KiB, all connections together "
          "(16 KiB chunks); 0: the stack's default (1 GiB)");
ABSL_FLAG(int, drain_ms, 2000,
          "on SIGINT/SIGTERM, how long open connections may finish");
ABSL_FLAG(int, idle_timeout_ms, 5000, "idle keep-alive connection timeout");
ABSL_FLAG(int, request_timeout_ms, 10000,
          "time allowed from a request's first byte to its last");

namespace skiff {
namespace {

constexpr char kName[] = "skiff-httpd";

struct HttpdOptions {
  uint16_t http_port = 80;
  std::string root;
  uint32_t backlog = 4096;
  uint64_t buffer_pool_bytes = 0;  // 0: the stack's default
  Duration drain;
  http::HttpServerConfig http;
};

absl::StatusOr<HttpdOptions> OptionsFromFlags() {
  HttpdOptions o;
  const int port = absl::GetFlag(FLAGS_port);
  if (port <= 0 || port > 65535) {
    return absl::InvalidArgumentError("--port must be in 1..65535");
  }
  o.http_port = static_cast<uint16_t>(port);
  o.root = absl::GetFlag(FLAGS_root);
  const int backlog = absl::GetFlag(FLAGS_backlog);
  if (backlog <= 0) return absl::InvalidArgumentError("--backlog > 0");
  o.backlog = static_cast<uint32_t>(backlog);
  const int pool_kb = absl::GetFlag(FLAGS_buffer_pool_kb);
  if (pool_kb < 0) return absl::InvalidArgumentError("--buffer_pool_kb >= 0");
  o.buffer_pool_bytes = static_cast<uint64_t>(pool_kb) << 10;
  o.drain = Duration::Millis(absl::GetFlag(FLAGS_drain_ms));
  o.http.idle_timeout = Duration::Millis(absl::GetFlag(FLAGS_idle_timeout_ms));
  o.http.request_timeout =
      Duration::Millis(absl::GetFlag(FLAGS_request_timeout_ms));
  return o;
}

// One line a script can poll while load runs (SIGUSR1), and print at exit.
void PrintStatus(StackCore& stack, const HttpServer& server) {
  std::printf(
      "status: mbufs_in_use %u live_connections %zu tcp_connections %zu "
      "buffer_chunks_in_use %u buffer_chunks_high_water %u "
      "buffer_pool_exhausted %lu\n",
      stack.pool().in_use(), server.live_connections(),
      stack.tcp().connection_count(), stack.tcp().buffer_pool().in_use(),
      stack.tcp().buffer_pool().high_water(),
      stack.tcp().buffer_pool().exhausted());
  std::fflush(stdout);
}

int64_t UnixSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

// Graceful stop: no new connections; open ones get `drain` to finish, then
// FIN (nothing owed) or RST (mid-response); a last few turns flush those.
void Drain(LcoreHost& lcore, HttpServer& server, Duration drain) {
  server.StopListening();
  lcore.RunFor(drain, [&](Instant now) {
    if (server.live_connections() == 0) return false;
    server.Poll(now);
    return true;
  });
  server.CloseAll();
  lcore.RunFor(Duration::Millis(200), [&](Instant now) {
    server.Poll(now);
    return true;
  });
}

void PrintReport(LcoreHost& lcore, const HttpServer& server,
                 uint32_t mbufs_at_start) {
  StackCore& stack = lcore.stack();
  std::printf("%s: stopping\ncounters:\n%s%s", kName,
              server.FormatCounters().c_str(), lcore.FormatCounters().c_str());
  // What the tests assert: no connection left to the application, and the
  // mbufs in use back where they were (the rx ring's, and the pool cache).
  std::printf(
      "live connections %zu (tcp table %zu incl. TIME-WAIT)\n"
      "mbufs in use %u at exit, %u at start, of %u\n",
      server.live_connections(), stack.tcp().connection_count(),
      stack.pool().in_use(), mbufs_at_start, stack.pool().capacity());
  PrintStatus(stack, server);
}

// --- Many lcores (issue 10): EAL's -l/--lcores gives N > 1 lcores, and
// skiff-httpd runs one StackCore and one HttpServer per lcore on N queue pairs
// of the port (apps/common/lcore_group.h), each listening for itself.
// --pcap writes a file per lcore (LcorePcapPath: FILE.lcoreK.pcap);
// SIGUSR1 prints a status line per lcore and their sum, --stats_interval
// one summed line, both from LcoreGroup's monitor (lcore_monitor.h).

// One lcore's serve / drain / close phases, driven from its own loop.
struct LcorePhase {
  enum { kServe, kDrain, kClose } phase = kServe;
  Instant until;
};

bool TurnLcore(Instant now, HttpServer& server, LcorePhase& st,
               Duration drain) {
  server.Poll(now);
  switch (st.phase) {
    case LcorePhase::kServe:
      if (AppHost::stop_requested()) {
        server.StopListening();
        st = {LcorePhase::kDrain, now + drain};
      }
      return true;
    case LcorePhase::kDrain:
      if (server.live_connections() == 0 || now >= st.until) {
        server.CloseAll();
        st = {LcorePhase::kClose, now + Duration::Millis(200)};
      }
      return true;
    case LcorePhase::kClose:
      return now < st.until;
  }
  return false;
}

void PrintLcoresReport(LcoreGroup& group,
                       const std::vector<std::unique_ptr<HttpServer>>& servers,
                       uint32_t mbufs_at_start) {
  // One summed "counters:" block, then what each lcore did.
  std::vector<std::string> http;
  size_t live = 0, table = 0;
  for (uint16_t k = 0; k < group.size(); ++k) {
    http.push_back(servers[k]->FormatCounters());
    live += servers[k]->live_connections();
    table += group.stack(k).tcp().connection_count();
  }
  std::printf("%s: stopping\ncounters:\n%s%s", kName,
              SumCounterLines(http).c_str(), group.FormatCounters().c_str());
  for (uint16_t k = 0; k < group.size(); ++k) {
    std::printf("lcore %u: http_connections_accepted %lu tcp_resets_in %lu\n",
                k, servers[k]->counters().accepted,
                group.stack(k).counters().tcp.resets_in);
  }
  std::printf("%s", group.FormatDispatch().c_str());
  const DpdkPort::Stats ps = group.port().stats();
  std::printf(
      "port stats: ipackets %lu opackets %lu imissed %lu ierrors %lu "
      "oerrors %lu rx_nombuf %lu tx_prepare_dropped %lu\n",
      ps.ipackets, ps.opackets, ps.imissed, ps.ierrors, ps.oerrors,
      ps.rx_nombuf, ps.tx_prepare_dropped);
  PacketPool& pool = group.stack(0).pool();
  std::printf(
      "live connections %zu (tcp table %zu incl. TIME-WAIT)\n"
      "mbufs in use %u at exit, %u at start, of %u\n",
      live, table, pool.in_use(), mbufs_at_start, pool.capacity());
}

absl::Status ServeLcores(const AppHost& host, const HttpdOptions& opt,
                         const http::DocRoot* root, uint16_t lcores) {
  LcoreGroupConfig gc;
  const LcoreConfig& lc = host.lcore_config();
  gc.dpdk_port = lc.dpdk_port;
  gc.mbufs = lc.mbufs;
  gc.lcores = lcores;
  gc.stack = lc.stack;
  gc.stats_interval = lc.stats_interval;
  gc.take_status_request = &AppHost::TakeStatusRequest;
  if (opt.buffer_pool_bytes > 0) {
    gc.stack.tcp.buffer_pool_bytes = opt.buffer_pool_bytes / lcores;
  }
  LcoreCaptures captures(lcores);
  gc.wrap = [&](Device& d, uint16_t k) { return captures.Wrap(d, k); };
  absl::StatusOr<std::unique_ptr<LcoreGroup>> opened = LcoreGroup::Open(gc);
  if (!opened.ok()) return opened.status();
  if (!captures.status().ok()) return captures.status();
  LcoreGroup& group = **opened;
  if (!group.port().WaitForLink(lc.link_wait)) {
    std::fprintf(stderr, "%s: warning: link still down\n", kName);
  }
  MonotonicClock clock;
  group.Start(clock.Now());
  std::vector<std::unique_ptr<HttpServer>> servers;
  for (uint16_t k = 0; k < lcores; ++k) {
    servers.push_back(std::make_unique<HttpServer>(group.stack(k), opt.http,
                                                   root, UnixSeconds));
    if (!servers.back()->Listen(opt.http_port, opt.backlog)) {
      return absl::InternalError(
          absl::StrFormat("cannot listen on port %d", opt.http_port));
    }
  }
  for (uint16_t k = 0; k < lcores; ++k) {
    // Run on lcore k when the monitor or telemetry asks for counters.
    group.mailbox(k).SetAppGauges([server = servers[k].get()](Snapshot* s) {
      uint64_t requests = 0;
      for (uint64_t c : server->status_counts().by_status) requests += c;
      s->app_requests = requests;
      s->app_live = server->live_connections();
    });
  }
  const uint32_t mbufs_at_start = group.stack(0).pool().in_use();
  std::printf(
      "%s: up: %s ip %s gateway %s mac %s, http port %u, %s, lcores %u\n",
      kName, group.port().Describe().c_str(),
      lc.stack.address.ToString().c_str(),
      lc.stack.gateway ? lc.stack.gateway->ToString().c_str() : "-",
      group.port().mac().ToString().c_str(), opt.http_port,
      opt.root.empty() ? "built-in page" : ("root " + opt.root).c_str(),
      lcores);
  std::fflush(stdout);
  std::vector<LcorePhase> phases(lcores);
  absl::Status run = group.Run([&](uint16_t k, Instant now) {
    return TurnLcore(now, *servers[k], phases[k], opt.drain);
  });
  if (!run.ok()) return run;
  PrintLcoresReport(group, servers, mbufs_at_start);
  std::fflush(stdout);
  captures.Finish(stdout);
  servers.clear();
  return absl::OkStatus();
}

absl::Status Serve(const AppHost& host, const HttpdOptions& opt) {
  std::optional<http::DocRoot> root;
  if (!opt.root.empty()) {
    absl::StatusOr<http::DocRoot> r = http::DocRoot::Open(opt.root);
    if (!r.ok()) return r.status();
    root.emplace(std::move(*r));
  }
  if (const uint16_t n = StackLcores(host.eal().args()); n > 1) {
    return ServeLcores(host, opt, root ? &*root : nullptr, n);
  }
  LcoreConfig config = host.lcore_config();
  if (opt.buffer_pool_bytes > 0) {
    config.stack.tcp.buffer_pool_bytes = opt.buffer_pool_bytes;
  }
  absl::StatusOr<std::unique_ptr<LcoreHost>> opened = LcoreHost::Open(config);
  if (!opened.ok()) return opened.status();
  LcoreHost& lcore = **opened;
  StackCore& stack = lcore.stack();
  HttpServer server(stack, opt.http, root ? &*root : nullptr, UnixSeconds);
  if (!server.Listen(opt.http_port, opt.backlog)) {
    return absl::InternalError(
        absl::StrFormat("cannot listen on port %d", opt.http_port));
  }
  server.Poll(lcore.Now());
  const uint32_t mbufs_at_start = stack.pool().in_use();
  // The line scripts and tests wait for (and read the MAC from).
  std::printf(
      "%s: up: %s ip %s gateway %s mac %s, http port %u, %s\n", kName,
      lcore.port().Describe().c_str(), config.stack.address.ToString().c_str(),
      config.stack.gateway ? config.stack.gateway->ToString().c_str() : "-",
      lcore.port().mac().ToString().c_str(), opt.http_port,
      opt.root.empty() ? "built-in page" : ("root " + opt.root).c_str());
  std::fflush(stdout);

  lcore.SetRequestCounter([&server] {  // req/s in --stats_interval lines
    uint64_t n = 0;
    for (uint64_t c : server.status_counts().by_status) n += c;
    return n;
  });
  lcore.Run([&](Instant now) {
    server.Poll(now);
    if (AppHost::TakeStatusRequest()) PrintStatus(stack, server);
    return true;
  });
  std::printf("%s: signal: no new connections, draining %zu\n", kName,
              server.live_connections());
  Drain(lcore, server, opt.drain);
  PrintReport(lcore, server, mbufs_at_start);
  lcore.FinishCapture(stdout);
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  absl::StatusOr<std::unique_ptr<AppHost>> host =
      AppHost::Start(argc, argv,
                     {.name = kName,
                      .usage = "skiff-httpd [EAL args] -- --ip=10.88.0.2/24 "
                               "[--gateway=10.88.0.1] [--port=80] [--root=DIR]",
                      .default_mbufs = 16383,
                      .status_signal = true});
  if (!host.ok()) return AppHost::Fail(kName, host.status());
  if ((*host)->args().size() > 1) {
    std::fprintf(stderr, "%s: unexpected argument: %s\n", kName,
                 (*host)->args()[1]);
    return 2;
  }
  absl::StatusOr<HttpdOptions> opt = OptionsFromFlags();
  if (!opt.ok()) return AppHost::Fail(kName, opt.status());
  if (absl::Status s = Serve(**host, *opt); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", kName, s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace skiff

int main(int argc, char** argv) { return skiff::Main(argc, argv); }
