#include "stack/base/timer_wheel.h"

#include <gtest/gtest.h>

#include <vector>

namespace skiff {
namespace {

constexpr Instant kStart = Instant::FromNanos(5'000'000'000);

std::vector<uint32_t> AdvanceTo(TimerWheel& w, Instant now) {
  std::vector<uint32_t> fired;
  w.Advance(now, [&](SlabHandle h) { fired.push_back(h.index); });
  return fired;
}

TEST(TimerWheel, FiresAtDeadlineNeverBefore) {
  TimerWheel w(kStart);
  w.Schedule(kStart + Duration::Millis(10), {1, 0});
  EXPECT_TRUE(AdvanceTo(w, kStart + Duration::Micros(9999)).empty());
  EXPECT_EQ(AdvanceTo(w, kStart + Duration::Millis(11)),
            std::vector<uint32_t>{1});
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, DeadlinesBeyondOneRevolutionWaitTheirRound) {
  TimerWheel w(kStart, Duration::Millis(1), 64);
  w.Schedule(kStart + Duration::Millis(200), {2, 0});
  for (int ms = 1; ms < 200; ++ms)
    ASSERT_TRUE(AdvanceTo(w, kStart + Duration::Millis(ms)).empty()) << ms;
  EXPECT_EQ(AdvanceTo(w, kStart + Duration::Millis(201)),
            std::vector<uint32_t>{2});
}

TEST(TimerWheel, LongIdleGapFiresEverythingDue) {
  TimerWheel w(kStart, Duration::Millis(1), 64);
  for (uint32_t i = 0; i < 10; ++i)
    w.Schedule(kStart + Duration::Millis(7 * i + 1), {i, 0});
  EXPECT_EQ(AdvanceTo(w, kStart + Duration::Seconds(60)).size(), 10u);
}

TEST(TimerWheel, PastDeadlineFiresOnNextAdvance) {
  TimerWheel w(kStart);
  w.Schedule(kStart - Duration::Seconds(1), {3, 0});
  EXPECT_EQ(AdvanceTo(w, kStart + Duration::Millis(1)),
            std::vector<uint32_t>{3});
}

TEST(TimerWheel, FireMayRescheduleLater) {
  TimerWheel w(kStart);
  w.Schedule(kStart + Duration::Millis(5), {4, 0});
  int fired = 0;
  w.Advance(kStart + Duration::Millis(6), [&](SlabHandle h) {
    ++fired;
    w.Schedule(kStart + Duration::Millis(50), h);  // the real deadline moved
  });
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(w.size(), 1u);
  EXPECT_TRUE(AdvanceTo(w, kStart + Duration::Millis(40)).empty());
  EXPECT_EQ(AdvanceTo(w, kStart + Duration::Millis(51)).size(), 1u);
}

}  // namespace
}  // namespace skiff
