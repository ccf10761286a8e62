// The monitor of many lcores (apps/common/lcore_monitor.h): its sums, its
// status lines, and Step reading two stacks through their mailboxes while
// another thread (the "lcores") polls them.
#include "apps/common/lcore_monitor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

Snapshot Counters(uint64_t established, uint64_t rx, uint64_t conns,
                  std::optional<uint64_t> requests,
                  std::optional<uint64_t> live = std::nullopt) {
  Snapshot s;
  s.counters.tcp.established = established;
  s.counters.link.rx_packets = rx;
  s.counters.drops.Add(DropReason::kIpBadChecksum, 1);
  s.tcp_connections = conns;
  s.buffer_chunks_in_use = 2;
  s.buffer_chunks_high_water = 5;
  s.app_requests = requests;
  s.app_live = live;
  return s;
}

TEST(SumStatsSampleTest, SumsEveryLcore_RequestsOnlyWhenAllCountThem) {
  const Instant t0 = Instant::FromNanos(0);
  const Instant t1 = t0 + Duration::Seconds(1);
  std::vector<Snapshot> before = {Counters(0, 0, 0, 0), Counters(0, 0, 0, 0)};
  std::vector<Snapshot> after = {Counters(100, 1000, 7, 300),
                                 Counters(50, 500, 3, 200)};
  const StatsSample a = SumStatsSample(t0, before);
  const StatsSample b = SumStatsSample(t1, after);
  EXPECT_EQ(b.counters.tcp.established, 150u);
  EXPECT_EQ(b.counters.drops.Total(), 2u);
  EXPECT_EQ(b.active, 10u);
  ASSERT_TRUE(b.requests.has_value());
  EXPECT_EQ(*b.requests, 500u);
  EXPECT_EQ(FormatStatsLine(a, b),
            "stats: 1.00s conns/s 150 req/s 500 active 10 rx_pps 1500 "
            "tx_pps 0 drops/s 0 retrans/s 0");
  after[1].app_requests.reset();  // one lcore's app does not count
  EXPECT_FALSE(SumStatsSample(t1, after).requests.has_value());
}

TEST(FormatStatusLinesTest, OneLinePerLcoreThenTheSum) {
  const std::vector<unsigned> lcores = {0, 3};
  const std::vector<Snapshot> each = {Counters(0, 0, 7, 1, 4),
                                      Counters(0, 0, 3, 1, 2)};
  EXPECT_EQ(FormatStatusLines(lcores, each, 1234),
            "status lcore 0: live_connections 4 tcp_connections 7 "
            "buffer_chunks_in_use 2 buffer_chunks_high_water 5 "
            "buffer_pool_exhausted 0\n"
            "status lcore 3: live_connections 2 tcp_connections 3 "
            "buffer_chunks_in_use 2 buffer_chunks_high_water 5 "
            "buffer_pool_exhausted 0\n"
            "status: mbufs_in_use 1234 live_connections 6 tcp_connections 10 "
            "buffer_chunks_in_use 4 buffer_chunks_high_water 10 "
            "buffer_pool_exhausted 0\n");
}

// Two stacks (client and server of TwoStacks) stand for two lcores; a
// thread polls both mailboxes as their lcores would after every turn.
class LcoreMonitorTest : public TwoStacks {
 protected:
  void SetUp() override {
    TwoStacks::SetUp();
    ASSERT_TRUE(server_->Listen(80, 8).ok());
    out_ = open_memstream(&buf_, &len_);
    ASSERT_NE(out_, nullptr);
    server_box_.SetAppGauges([](Snapshot* s) {
      s->app_requests = 9;
      s->app_live = 1;
    });
    client_box_.SetAppGauges([](Snapshot* s) {
      s->app_requests = 1;
      s->app_live = 0;
    });
  }
  void TearDown() override {
    StopLcores();
    std::fclose(out_);
    free(buf_);
  }
  void StartLcores() {
    lcores_ = std::thread([this] {
      const Instant now = clock_.Now();
      while (!stop_.load(std::memory_order_relaxed)) {
        client_box_.Poll(*client_, now);
        server_box_.Poll(*server_, now);
      }
    });
  }
  void StopLcores() {
    stop_.store(true);
    if (lcores_.joinable()) lcores_.join();
  }
  std::string Output() {
    std::fflush(out_);
    return std::string(buf_, len_);
  }
  LcoreMonitor Make(LcoreMonitor::Config c) {
    c.out = out_;
    c.wait = std::chrono::milliseconds(2000);
    return LcoreMonitor(c, {0, 1}, {&client_box_, &server_box_});
  }

  SnapshotMailbox client_box_, server_box_;
  std::FILE* out_ = nullptr;
  char* buf_ = nullptr;
  size_t len_ = 0;
  std::atomic<bool> stop_{false};
  std::thread lcores_;
};

TEST_F(LcoreMonitorTest, StatusRequest_PrintsEachLcoreAndTheSum) {
  StartLcores();
  bool requested = true;
  LcoreMonitor m = Make(
      {.take_status_request = [&] { return std::exchange(requested, false); },
       .mbufs_in_use = [] { return 77u; }});
  EXPECT_TRUE(m.enabled());
  m.Step(clock_.Now());
  const std::string out = Output();
  EXPECT_NE(out.find("status lcore 0: live_connections 0 tcp_connections 0"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("status lcore 1: live_connections 1 tcp_connections 0"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("status: mbufs_in_use 77 live_connections 1 "),
            std::string::npos)
      << out;
  m.Step(clock_.Now());  // no new request: nothing more
  EXPECT_EQ(Output(), out);
}

TEST_F(LcoreMonitorTest, StatsInterval_FirstStepSamplesThenALinePerInterval) {
  StartLcores();
  LcoreMonitor m = Make({.stats_interval = Duration::Seconds(1)});
  const Instant t0 = clock_.Now();
  m.Step(t0);
  EXPECT_EQ(Output(), "");  // the first sample has nothing to compare with
  m.Step(t0 + Duration::Millis(500));
  EXPECT_EQ(Output(), "");  // inside the interval
  m.Step(t0 + Duration::Seconds(1));
  // Requests summed over both lcores' apps: 10, unchanged: 0/s.
  EXPECT_EQ(Output(),
            "stats: 1.00s conns/s 0 req/s 0 active 0 rx_pps 0 tx_pps 0 "
            "drops/s 0 retrans/s 0\n");
}

TEST_F(LcoreMonitorTest, AnLcoreThatDoesNotPoll_SkipsTheLineAndSaysSo) {
  // Nobody polls: the monitor gives up after `wait` rather than hang.
  LcoreMonitor::Config c{.stats_interval = Duration::Seconds(1)};
  c.out = out_;
  c.wait = std::chrono::milliseconds(20);
  LcoreMonitor m(c, {0, 1}, {&client_box_, &server_box_});
  m.Step(clock_.Now());
  m.Step(clock_.Now() + Duration::Seconds(1));
  const std::string out = Output();
  EXPECT_NE(out.find("monitor: lcore 0 did not answer within 20 ms"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("stats:"), std::string::npos) << out;
}

TEST(LcoreMonitorDisabledTest, NoIntervalNoStatus_NotEnabled) {
  LcoreMonitor m({}, {}, {});
  EXPECT_FALSE(m.enabled());
}

}  // namespace
}  // namespace skiff::testing
