// Volume between two skiff stacks over the SimWire: many short connections,
// and 64 MiB moved byte-exact over a clean and over a hostile link. Time is
// simulated; every mbuf and every connection must come back afterwards.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

constexpr uint64_t kBulkBytes = 64ull << 20;

class Bulk : public TwoStacks {
 protected:
  // Both stacks idle and empty: every connection freed (TIME-WAIT included,
  // after `drain` of simulated time).
  void ExpectDrained(Duration drain) {
    EXPECT_TRUE(RunUntil(
        [&] {
          return client_->tcp().connection_count() == 0 &&
                 server_->tcp().connection_count() == 0;
        },
        drain))
        << "client " << client_->tcp().connection_count() << " server "
        << server_->tcp().connection_count();
  }

  // Moves kBulkBytes client → server; the server sinks and hashes them.
  void RunBulk(Duration limit) {
    const auto t0 = std::chrono::steady_clock::now();
    TcpApp server_app(*server_);
    TcpApp client_app(*client_);
    server_app.accept_script = {.close_when_sent = false, .close_on_eof = true};
    ASSERT_TRUE(server_->Listen(5001).ok());
    const SocketId cs = client_app.Connect(
        kServerIp, 5001, {.send_total = kBulkBytes, .seed = 42});
    ASSERT_TRUE(cs.valid());
    const Flow* got = nullptr;
    server_app.on_done = [&](SocketId, Flow& f) { got = &f; };
    ASSERT_TRUE(RunUntil([&] { return got != nullptr; }, limit))
        << "sent " << client_app.flows[cs].sent;
    const Flow& sent = client_app.flows[cs];
    EXPECT_EQ(got->received, kBulkBytes);
    EXPECT_EQ(got->rx_hash.h, sent.sent_hash.h);
    EXPECT_TRUE(got->eof);
    EXPECT_FALSE(got->reset);
    ExpectDrained(Duration::Seconds(130));
    const auto wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    const TcpCounters c = client_->counters().tcp;
    std::printf(
        "bulk: %.1f s wall, %.1f s simulated; client retransmits %lu "
        "fast %lu rto %lu; server out-of-order %lu segs_in %lu\n",
        wall, static_cast<double>(clock_.Now().nanos()) / 1e9, c.retransmits,
        c.fast_retransmits, c.rto_expirations,
        server_->counters().tcp.out_of_order, server_->counters().tcp.segs_in);
  }
};

TEST_F(Bulk, SixtyFourMiB_CleanLink_ByteExact) {
  RunBulk(Duration::Seconds(120));
}

TEST_F(Bulk, SixtyFourMiB_LossReorderDupCorrupt_ByteExact) {
  BuildHostile(7, 0.05);
  RunBulk(Duration::Seconds(3600));
  EXPECT_GT(wire_->counters_a_to_b().lost, 0u);
  EXPECT_GT(wire_->counters_a_to_b().corrupted, 0u);
  EXPECT_GT(wire_->counters_a_to_b().duplicated, 0u);
  EXPECT_GT(wire_->counters_a_to_b().reordered, 0u);
}

// 10,000 request/response connections, 64 at a time: the client sends a
// request, the server echoes it and the client closes first (TIME-WAIT on
// the client's side, 16k ephemeral ports for 10k tuples).
TEST_F(Bulk, TenThousandShortConnections_AllCompleteNoLeak) {
  const auto t0 = std::chrono::steady_clock::now();
  TcpApp server_app(*server_);
  TcpApp client_app(*client_);
  server_app.accept_script = {.echo = true};
  ASSERT_TRUE(server_->Listen(7, 1024).ok());
  constexpr int kTotal = 10000;
  constexpr int kConcurrent = 64;
  int started = 0, ok = 0, bad = 0;
  auto start_one = [&] {
    Flow f{.send_total = 100 + static_cast<uint64_t>(started % 900),
           .seed = static_cast<uint64_t>(started),
           .shutdown_instead = true};
    ++started;
    ASSERT_TRUE(client_app.Connect(kServerIp, 7, f).valid()) << started;
  };
  client_app.on_done = [&](SocketId, Flow& f) {
    if (f.received == f.send_total && f.rx_hash.h == f.sent_hash.h &&
        !f.reset) {
      ++ok;
    } else {
      ++bad;
    }
  };
  ASSERT_TRUE(RunUntil(
      [&] {
        while (started < kTotal && started - ok - bad < kConcurrent) {
          start_one();
        }
        return ok + bad == kTotal;
      },
      Duration::Seconds(600)))
      << "ok " << ok << " bad " << bad << " started " << started;
  EXPECT_EQ(ok, kTotal);
  EXPECT_EQ(server_app.accepted, static_cast<uint64_t>(kTotal));
  EXPECT_EQ(server_app.finished, static_cast<uint64_t>(kTotal));
  // Flows are app-side bookkeeping only; drop it before the drain.
  client_app.flows.clear();
  server_app.flows.clear();
  ExpectDrained(Duration::Seconds(130));
  EXPECT_EQ(server_->counters().tcp.passive_opens,
            static_cast<uint64_t>(kTotal));
  EXPECT_EQ(client_->counters().tcp.established, static_cast<uint64_t>(kTotal));
  std::printf(
      "short: %.1f s wall, %.1f s simulated\n",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count(),
      static_cast<double>(clock_.Now().nanos()) / 1e9);
}

}  // namespace
}  // namespace skiff::testing

namespace skiff::testing {
namespace {

// Handshakes and FIN exchanges under the hostile link: lost SYNs, SYN-ACKs,
// FINs and last ACKs must all be recovered by retransmission; the server
// closes first this time (TIME-WAIT on its side).
TEST_F(Bulk, TwoThousandShortConnections_LossyLink_AllComplete) {
  BuildHostile(11, 0.05);
  TcpApp server_app(*server_);
  TcpApp client_app(*client_);
  // The server answers 2000 bytes and closes; the client reads to EOF.
  server_app.accept_script = {.send_total = 2000, .seed = 5};
  ASSERT_TRUE(server_->Listen(80, 1024).ok());
  constexpr int kTotal = 2000;
  int started = 0, ok = 0, bad_flows = 0;
  client_app.on_done = [&](SocketId, Flow& f) {
    (f.received == 2000 && !f.reset ? ok : bad_flows)++;
  };
  ASSERT_TRUE(RunUntil(
      [&] {
        while (started < kTotal && started - ok - bad_flows < 64) {
          ++started;
          EXPECT_TRUE(
              client_app.Connect(kServerIp, 80, {.close_when_sent = false})
                  .valid());
        }
        return ok + bad_flows == kTotal;
      },
      Duration::Seconds(900)))
      << "ok " << ok << " bad " << bad_flows << " started " << started;
  EXPECT_EQ(ok, kTotal);
  EXPECT_GT(wire_->counters_a_to_b().lost, 0u);
  std::printf("lossy short: %.1f s simulated, frames lost %lu + %lu\n",
              static_cast<double>(clock_.Now().nanos()) / 1e9,
              wire_->counters_a_to_b().lost, wire_->counters_b_to_a().lost);
  client_app.flows.clear();
  server_app.flows.clear();
  ExpectDrained(Duration::Seconds(200));
}

}  // namespace
}  // namespace skiff::testing
