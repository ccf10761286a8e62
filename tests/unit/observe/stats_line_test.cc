// --stats_interval's line (apps/common/stats_line.h).
#include "apps/common/stats_line.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/unit/stack/two_stacks.h"

namespace skiff {
namespace {

TEST(StatsLine, Format_RatesOverTheInterval) {
  StatsSample a{.at = Instant::FromNanos(0), .requests = 100};
  StatsSample b = a;
  b.at = Instant::FromNanos(500'000'000);  // half a second
  b.counters.tcp.established = 10;
  b.counters.link.rx_packets = 1000;
  b.counters.link.tx_packets = 900;
  b.counters.tcp.retransmits = 2;
  b.counters.drops.Add(DropReason::kEthNotForUs);
  b.active = 7;
  b.requests = 150;
  EXPECT_EQ(FormatStatsLine(a, b),
            "stats: 0.50s conns/s 20 req/s 100 active 7 rx_pps 2000 "
            "tx_pps 1800 drops/s 2 retrans/s 4");
}

TEST(StatsLine, Format_NoRequests_NoRequestField) {
  StatsSample a{.at = Instant::FromNanos(0)};
  StatsSample b{.at = Instant::FromNanos(1'000'000'000)};
  EXPECT_EQ(FormatStatsLine(a, b),
            "stats: 1.00s conns/s 0 active 0 rx_pps 0 tx_pps 0 drops/s 0 "
            "retrans/s 0");
}

TEST(StatsTicker, Disabled_NeverSamples) {
  StatsTicker t(Duration::Zero(), stdout);
  EXPECT_FALSE(t.enabled());
}

// Reads what was written to `f` so far.
std::string Contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) s.push_back(c);
  return s;
}

class StatsTickerTest : public testing::TwoStacks {};

TEST_F(StatsTickerTest, Tick_OneLinePerInterval) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  StatsTicker t(Duration::Seconds(1), f);
  int asked = 0;
  auto requests = [&]() -> std::optional<uint64_t> { return ++asked * 10; };
  t.Tick(clock_.Now(), *server_, requests);  // the first sample
  clock_.Advance(Duration::Millis(999));
  t.Tick(clock_.Now(), *server_, requests);  // not yet
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(Contents(f), "");
  clock_.Advance(Duration::Millis(1));
  std::fseek(f, 0, SEEK_END);
  t.Tick(clock_.Now(), *server_, requests);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(Contents(f),
            "stats: 1.00s conns/s 0 req/s 10 active 0 rx_pps 0 tx_pps 0 "
            "drops/s 0 retrans/s 0\n");
  std::fclose(f);
}

}  // namespace
}  // namespace skiff
