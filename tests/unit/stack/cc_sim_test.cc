// Two skiff stacks over a lossy, reordering SimWire with each congestion
// controller (NewReno, CUBIC) and each loss detector (three duplicate
// ACKs, RACK): every byte arrives, exactly, and the run's figures are
// printed (simulated time, RTOs, retransmissions). The 16 MiB comparison
// the README quotes is DISABLED_Measure16MiB (run it with
// --gtest_also_run_disabled_tests).
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

struct CcRun {
  bool done = false;
  double seconds = 0;
  TcpConnStats sender;  // the sending connection's own counters
};

struct Variant {
  CongestionAlgorithm cc;
  bool rack;
  const char* name;
};
constexpr Variant kVariants[] = {
    {CongestionAlgorithm::kNewReno, false, "newreno/dupack"},
    {CongestionAlgorithm::kNewReno, true, "newreno/rack"},
    {CongestionAlgorithm::kCubic, false, "cubic/dupack"},
    {CongestionAlgorithm::kCubic, true, "cubic/rack"},
};

class CcSim : public TwoStacks {
 protected:
  CcRun Run(const Variant& v, uint64_t bytes, SimLinkConfig fwd,
            SimLinkConfig rev) {
    TcpLayerConfig tcp;
    tcp.connection.congestion_control = v.cc;
    tcp.connection.rack = v.rack;
    Build(fwd, rev, tcp);
    CcRun r;
    TcpApp server_app(*server_);
    TcpApp client_app(*client_);
    server_app.accept_script = {.close_when_sent = false, .close_on_eof = true};
    EXPECT_TRUE(server_->Listen(5001).ok());
    const SocketId cs = client_app.Connect(
        kServerIp, 5001,
        {.send_total = bytes, .seed = 7, .close_when_sent = false});
    SocketId ss;
    server_app.on_accept = [&](SocketId s) { ss = s; };
    const Instant t0 = clock_.Now();
    const bool done = RunUntil(
        [&] { return ss.valid() && server_app.flows[ss].received == bytes; },
        Duration::Seconds(300));
    EXPECT_TRUE(done) << v.name << ": received "
                      << (ss.valid() ? server_app.flows[ss].received : 0);
    if (done) {
      r.done = true;
      r.seconds = static_cast<double>((clock_.Now() - t0).nanos()) / 1e9;
      EXPECT_EQ(server_app.flows[ss].rx_hash.h,
                client_app.flows[cs].sent_hash.h)
          << v.name;
      const Connection* c = client_->Find(cs);
      EXPECT_NE(c, nullptr);
      if (c != nullptr) {
        EXPECT_EQ(c->congestion_control(), v.cc);
        r.sender = c->stats();
      }
      std::printf(
          "cc-sim %-15s seed %2lu: %6.2f s simulated, rto %3u, recoveries "
          "%4u, retransmits %5u segs %9lu B, rack timeouts %4u, "
          "lost-rexmit %3u, probes %3u\n",
          v.name, fwd.seed, r.seconds, r.sender.timeouts,
          r.sender.fast_retransmits, r.sender.retransmits,
          r.sender.bytes_retransmitted, r.sender.rack_timeouts,
          r.sender.lost_retransmits, r.sender.loss_probes);
    }
    client_->Close(cs);
    // Both sides finish closing so every mbuf comes back.
    RunFor(Duration::Seconds(2));
    return r;
  }
};

// 4 MiB over 2% loss and 2% reordering each way, 1 ms one-way delay: each
// controller with each loss detector delivers every byte exactly.
TEST_F(CcSim, LossyReorderingLink_EveryVariantByteExact) {
  for (const Variant& v : kVariants) {
    SCOPED_TRACE(v.name);
    const SimLinkConfig fwd{
        .seed = 5, .loss = 0.02, .reorder = 0.02, .delay = Duration::Millis(1)};
    SimLinkConfig rev = fwd;
    rev.seed = 6;
    const CcRun r = Run(v, 4ull << 20, fwd, rev);
    ASSERT_TRUE(r.done);
    EXPECT_GT(r.sender.retransmits, 0u);
    if (v.rack) {
      EXPECT_GT(r.sender.rack_timeouts + r.sender.fast_retransmits, 0u);
    } else {
      EXPECT_EQ(r.sender.rack_timeouts, 0u);
    }
  }
}

// The measurement of the report: 16 MiB with 2% loss each way (the
// loss_test scenario), three seeds, every variant.
TEST_F(CcSim, DISABLED_Measure16MiB) {
  for (uint64_t seed : {11, 21, 31}) {
    for (const Variant& v : kVariants) {
      const SimLinkConfig fwd{
          .seed = seed, .loss = 0.02, .delay = Duration::Millis(1)};
      const SimLinkConfig rev{
          .seed = seed + 1, .loss = 0.02, .delay = Duration::Millis(1)};
      ASSERT_TRUE(Run(v, 16ull << 20, fwd, rev).done);
    }
  }
}

}  // namespace
}  // namespace skiff::testing
