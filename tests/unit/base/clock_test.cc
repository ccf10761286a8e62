#include "stack/base/clock.h"

#include <gtest/gtest.h>

#include "stack/base/drop_reason.h"

namespace skiff {
namespace {

TEST(Duration, UnitsConvert) {
  EXPECT_EQ(Duration::Millis(3).nanos(), 3'000'000);
  EXPECT_EQ(Duration::Seconds(2).millis(), 2000);
  EXPECT_EQ((Duration::Micros(5) * 3).nanos(), 15'000);
  EXPECT_LT(Duration::Millis(1), Duration::Seconds(1));
}

TEST(Instant, MaxSaturatesSoUnarmedStaysUnarmed) {
  EXPECT_EQ(Instant::Max() + Duration::Seconds(1), Instant::Max());
  Instant t = Instant::FromNanos(100);
  EXPECT_EQ((t + Duration::Nanos(50)) - t, Duration::Nanos(50));
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock;
  Instant a = clock.Now();
  EXPECT_EQ(clock.Now(), a);
  clock.Advance(Duration::Millis(200));
  EXPECT_EQ(clock.Now() - a, Duration::Millis(200));
}

TEST(MonotonicClock, NeverGoesBack) {
  MonotonicClock clock;
  Instant a = clock.Now();
  Instant b = clock.Now();
  EXPECT_LE(a, b);
}

TEST(DropCounters, CountsByReasonAndNamesThem) {
  DropCounters d;
  d.Add(DropReason::kIpBadChecksum);
  d.Add(DropReason::kIpBadChecksum);
  d.Add(DropReason::kEthTooShort, 5);
  EXPECT_EQ(d[DropReason::kIpBadChecksum], 2u);
  EXPECT_EQ(d.Total(), 7u);
  EXPECT_EQ(DropReasonName(DropReason::kIpBadChecksum), "ip_bad_checksum");
  EXPECT_EQ(DropReasonName(DropReason::kCount), "unknown");
}

}  // namespace
}  // namespace skiff
