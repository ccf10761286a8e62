// skiff-load's split of a run across lcores and the merge of their samples
// (apps/load/lcore_merge.h).
#include "apps/load/lcore_merge.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace skiff::load {
namespace {

TEST(SplitConfigTest, SharesAddUpToTheTotals) {
  LoadConfig total;
  total.concurrency = 17;
  total.count = 1001;
  total.max_in_flight = 100000;
  total.rate = 300;
  for (uint16_t n : {1, 2, 3, 7}) {
    uint64_t conc = 0, count = 0, inflight = 0;
    double rate = 0;
    for (uint16_t k = 0; k < n; ++k) {
      const LoadConfig c = SplitConfig(total, n, k);
      EXPECT_GE(c.concurrency, 1u);
      EXPECT_GE(c.count, 1u);
      conc += c.concurrency;
      count += c.count;
      inflight += c.max_in_flight;
      rate += c.rate;
    }
    EXPECT_EQ(conc, 17u) << n;
    EXPECT_EQ(count, 1001u) << n;
    EXPECT_EQ(inflight, 100000u) << n;
    EXPECT_DOUBLE_EQ(rate, 300) << n;
  }
}

TEST(SplitConfigTest, UnboundedCountStaysUnbounded) {
  LoadConfig total;
  total.concurrency = 4;
  total.count = 0;
  for (uint16_t k = 0; k < 2; ++k)
    EXPECT_EQ(SplitConfig(total, 2, k).count, 0u);
}

TEST(SplitConfigTest, RefusesAZeroShare) {
  LoadConfig total;
  total.concurrency = 2;
  EXPECT_TRUE(CanSplit(total, 2));
  EXPECT_FALSE(CanSplit(total, 3));  // one lcore would get no connection
  total.concurrency = 8;
  total.count = 2;
  EXPECT_FALSE(CanSplit(total, 3));  // count 0 would mean "no bound"
}

LoadSample Sample(double t, uint64_t done, uint64_t held) {
  LoadSample s;
  s.t = t;
  s.seconds = 1;
  s.delta.requests_done = done;
  s.delta.errors[0] = 1;
  s.held = held;
  return s;
}

TEST(SampleMergerTest, SumsCountersAndMergesHistogramsInOrder) {
  std::vector<LoadSample> out;
  SampleMerger m(2, [&](const LoadSample& s) { out.push_back(s); });
  // Lcore 0 fast: 1000 latencies of 10 us; lcore 1: 10 of 1 ms.
  bench::Histogram fast, slow;
  for (int i = 0; i < 1000; ++i) fast.Record(10'000);
  for (int i = 0; i < 10; ++i) slow.Record(1'000'000);
  m.Add(0, Sample(1.0, 1000, 3), fast);
  m.Add(0, Sample(2.0, 1000, 3), fast);
  EXPECT_TRUE(out.empty());  // lcore 1 has not reported interval 0 yet
  m.Add(1, Sample(1.01, 10, 2), slow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].delta.requests_done, 1010u);
  EXPECT_EQ(out[0].delta.error_total(), 2u);
  EXPECT_EQ(out[0].held, 5u);
  EXPECT_DOUBLE_EQ(out[0].t, 1.01);
  // The median of the union is a fast request's.
  EXPECT_NEAR(out[0].p50_ns, 10'000, 10'000 / 256 + 1);
  // An average of the lcores' p50s would say ~505 us.
  EXPECT_LT(out[0].p50_ns, 20'000u);
  m.Add(1, Sample(2.01, 10, 2), slow);
  ASSERT_EQ(out.size(), 2u);
  m.Add(0, Sample(2.5, 5, 0), fast);  // lcore 0's tail; lcore 1 has none
  EXPECT_EQ(out.size(), 2u);
  m.Finish();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].delta.requests_done, 5u);
}

TEST(SampleMergerTest, HighPercentileSeesTheSlowLcore) {
  std::vector<LoadSample> out;
  SampleMerger m(2, [&](const LoadSample& s) { out.push_back(s); });
  bench::Histogram fast, slow;
  for (int i = 0; i < 90; ++i) fast.Record(10'000);
  for (int i = 0; i < 10; ++i) slow.Record(1'000'000);
  m.Add(0, Sample(1, 90, 0), fast);
  m.Add(1, Sample(1, 10, 0), slow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].p99_ns, 1'000'000, 1'000'000 / 256 + 1);
}

}  // namespace
}  // namespace skiff::load
