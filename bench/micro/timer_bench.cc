// stack/base/timer_wheel.h: arming (Schedule) and expiry (Advance), with
// the wheel holding 1 K to 1 M timers as the connection table does.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "stack/base/timer_wheel.h"

namespace skiff::bench {
namespace {

// Arm + expire, per timer: every iteration schedules an RTO-like timer
// (1 ms ahead) and moves time 1 us, so the steady state fires one timer per
// iteration, beside `range(0)` long timers spread over a second of ticks
// (which Advance re-checks on each lap of the 1024-slot wheel).
void BM_TimerScheduleAndFire(benchmark::State& state) {
  Instant now = Instant::FromNanos(0);
  TimerWheel wheel(now);
  const int64_t n = state.range(0);
  for (int64_t i = 0; i < n; ++i) {
    wheel.Schedule(
        now + Duration::Seconds(3600) + Duration::Micros(i % 1000000),
        SlabHandle{static_cast<uint32_t>(i), 0});
  }
  uint64_t fired = 0;
  uint32_t i = 0;
  for (auto _ : state) {
    wheel.Schedule(now + Duration::Millis(1), SlabHandle{i++, 0});
    now = now + Duration::Micros(1);
    wheel.Advance(now, [&](SlabHandle) { ++fired; });
  }
  state.counters["fired_per_iter"] =
      static_cast<double>(fired) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TimerScheduleAndFire)->Arg(0)->Arg(1000)->Arg(1000000);

// One tick of Advance with one timer firing (the steady state of a busy
// lcore: Advance every turn, a few expiries per tick), beside `range(0)`
// timers that stay armed.
void BM_TimerAdvanceFireOne(benchmark::State& state) {
  Instant now = Instant::FromNanos(0);
  TimerWheel wheel(now);
  const int64_t n = state.range(0);
  for (int64_t i = 0; i < n; ++i) {
    wheel.Schedule(
        now + Duration::Seconds(3600) + Duration::Micros(i % 1000000),
        SlabHandle{static_cast<uint32_t>(i), 0});
  }
  uint64_t fired = 0;
  for (auto _ : state) {
    wheel.Schedule(now + Duration::Millis(1), SlabHandle{1, 0});
    now = now + Duration::Millis(2);
    wheel.Advance(now, [&](SlabHandle) { ++fired; });
  }
  state.counters["fired_per_iter"] =
      static_cast<double>(fired) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TimerAdvanceFireOne)->Arg(0)->Arg(1000)->Arg(1000000);

// Advance with nothing due: what every idle loop turn pays.
void BM_TimerAdvanceIdle(benchmark::State& state) {
  Instant now = Instant::FromNanos(0);
  TimerWheel wheel(now);
  wheel.Schedule(now + Duration::Seconds(3600), SlabHandle{0, 0});
  for (auto _ : state) {
    now = now + Duration::Nanos(500);
    wheel.Advance(now, [](SlabHandle) {});
  }
}
BENCHMARK(BM_TimerAdvanceIdle);

}  // namespace
}  // namespace skiff::bench
