#include "bench/harness/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace skiff::bench {
namespace {

TEST(Histogram, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(0.5), 0u);
  EXPECT_EQ(h.min(), 0u);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 50u);
  EXPECT_EQ(h.Percentile(0.99), 99u);
  EXPECT_EQ(h.Percentile(1.0), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, BucketsAreContiguousAndTight) {
  for (size_t i = 1; i < Histogram::IndexOf(uint64_t{1} << 39); ++i) {
    ASSERT_EQ(Histogram::LowerBound(i), Histogram::UpperBound(i - 1) + 1) << i;
    ASSERT_EQ(Histogram::IndexOf(Histogram::LowerBound(i)), i);
    ASSERT_EQ(Histogram::IndexOf(Histogram::UpperBound(i)), i);
    // Width within 1/128 of the bucket's lowest value.
    uint64_t width = Histogram::UpperBound(i) - Histogram::LowerBound(i) + 1;
    ASSERT_LE(width * 128, std::max<uint64_t>(Histogram::LowerBound(i), 128));
  }
}

TEST(Histogram, PercentilesWithinOnePercentOverWideRange) {
  // 1..1,000,000 in steps of 7 ns: the exact quantiles are known.
  Histogram h;
  uint64_t n = 0;
  for (uint64_t v = 1; v <= 1000000; v += 7, ++n) h.Record(v);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    uint64_t rank =
        static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
    double exact = static_cast<double>(1 + (rank - 1) * 7);
    double got = static_cast<double>(h.Percentile(q));
    EXPECT_NEAR(got, exact, exact * 0.01) << "q=" << q;
  }
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (uint64_t v = 0; v < 5000; ++v) {
    (v % 2 ? a : b).Record(v * 13);
    all.Record(v * 13);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double q : {0.5, 0.99, 0.999})
    EXPECT_EQ(a.Percentile(q), all.Percentile(q));
}

TEST(Histogram, HugeValuesAreClampedNotLost) {
  Histogram h;
  h.Record(UINT64_MAX);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_LT(Histogram::IndexOf(UINT64_MAX), Histogram::kBuckets);
}

}  // namespace
}  // namespace skiff::bench
