// Soak (a measurement, not a CI test): SKIFF_SOAK_CONNS short connections
// (default 10 M) between two skiff stacks over a clean SimWire, polled in
// one thread on a manual clock, 128 in flight. Each: connect, a 27-byte
// request, a 64-byte answer, the server closes first (TIME-WAIT on its
// side, 1 s, so client ports come back through TIME-WAIT reuse), the
// client closes on EOF. Every million connections it prints mbufs in use,
// connection slots, buffer-pool chunks and RSS; growth shows as a trend.
//
//   nice -n 10 build/tests/unit/stack/stack_soak
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

long RssKib() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

class Soak : public TwoStacks {};

TEST_F(Soak, ShortConnections_NoGrowth) {
  const char* env = getenv("SKIFF_SOAK_CONNS");
  const uint64_t total =
      env != nullptr ? std::strtoull(env, nullptr, 10) : 10'000'000;
  TcpLayerConfig tcp;
  tcp.connection.time_wait = Duration::Seconds(1);
  Build({}, {}, tcp);
  TcpApp server_app(*server_);
  TcpApp client_app(*client_);
  // Server: answers 64 bytes once the 27-byte request is in, closes first.
  server_app.accept_script = {
      .send_total = 64, .close_when_sent = true, .close_on_eof = true};
  ASSERT_TRUE(server_->Listen(80, 4096).ok());
  constexpr int kInFlight = 128;
  uint64_t started = 0, done = 0, failed = 0;
  auto start_one = [&] {
    const SocketId s = client_app.Connect(
        kServerIp, 80,
        {.send_total = 27, .close_when_sent = false, .close_on_eof = true});
    if (s.valid()) ++started;
  };
  client_app.on_done = [&](SocketId s, Flow& f) {
    ++done;
    if (f.reset || f.received != 64) ++failed;
    client_app.flows.erase(s);
  };
  server_app.on_done = [&](SocketId s, Flow&) { server_app.flows.erase(s); };
  auto report = [&](const char* when) {
    std::printf(
        "soak %s: %lu conns done (%lu failed), %.1f s simulated; mbufs in "
        "use %u; slots client %zu server %zu; chunks client %u server %u; "
        "rss %ld KiB\n",
        when, done, failed,
        (clock_.Now() - Instant::FromNanos(1'000'000'000)).seconds(),
        TestPool().in_use(), client_->tcp().connection_count(),
        server_->tcp().connection_count(),
        client_->tcp().buffer_pool().in_use(),
        server_->tcp().buffer_pool().in_use(), RssKib());
    std::fflush(stdout);
  };
  report("start");
  const auto wall0 = std::chrono::steady_clock::now();
  uint64_t next_report = 1'000'000;
  while (done < total) {
    while (started - done < kInFlight && started < total) start_one();
    Turn();
    if (done >= next_report) {
      report("at");
      next_report += 1'000'000;
    }
  }
  // Let TIME-WAIT expire, then the figures that must be back at zero.
  RunFor(Duration::Seconds(3));
  report("end");
  std::printf(
      "soak: %.0f s wall\n",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0)
          .count());
  EXPECT_EQ(failed, 0u);
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
  EXPECT_EQ(client_->tcp().buffer_pool().in_use(), 0u);
  EXPECT_EQ(server_->tcp().buffer_pool().in_use(), 0u);
}

}  // namespace
}  // namespace skiff::testing
