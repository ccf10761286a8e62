// Time as plain values: Duration, Instant and the clocks applications read.
// The stack never reads a clock itself: Stack::Poll takes `now`, and
// deadlines come back out as Instants.
#ifndef SKIFF_TIME_H_
#define SKIFF_TIME_H_

#include <compare>
#include <cstdint>
#include <limits>

namespace skiff {

// A signed span of time with nanosecond resolution.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration Nanos(int64_t n) { return Duration(n); }
  static constexpr Duration Micros(int64_t n) { return Duration(n * 1000); }
  static constexpr Duration Millis(int64_t n) { return Duration(n * 1000000); }
  static constexpr Duration Seconds(int64_t n) {
    return Duration(n * 1000000000);
  }
  static constexpr Duration Zero() { return Duration(0); }
  static constexpr Duration Infinite() {
    return Duration(std::numeric_limits<int64_t>::max());
  }

  constexpr int64_t nanos() const { return ns_; }
  constexpr int64_t micros() const { return ns_ / 1000; }
  constexpr int64_t millis() const { return ns_ / 1000000; }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr Duration operator+(Duration o) const {
    return Duration(ns_ + o.ns_);
  }
  constexpr Duration operator-(Duration o) const {
    return Duration(ns_ - o.ns_);
  }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    ns_ -= o.ns_;
    return *this;
  }
  constexpr auto operator<=>(const Duration&) const = default;

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// A point on a monotonic clock, nanoseconds since an arbitrary epoch.
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant FromNanos(int64_t ns) { return Instant(ns); }
  // "Never": the deadline of something that is not armed.
  static constexpr Instant Max() {
    return Instant(std::numeric_limits<int64_t>::max());
  }

  constexpr int64_t nanos() const { return ns_; }

  constexpr Instant operator+(Duration d) const {
    // Saturate so that Max() + d stays Max() (an unarmed timer stays unarmed).
    if (d.nanos() > 0 && ns_ > std::numeric_limits<int64_t>::max() - d.nanos())
      return Max();
    return Instant(ns_ + d.nanos());
  }
  constexpr Instant operator-(Duration d) const {
    return Instant(ns_ - d.nanos());
  }
  constexpr Duration operator-(Instant o) const {
    return Duration::Nanos(ns_ - o.ns_);
  }
  constexpr Instant& operator+=(Duration d) { return *this = *this + d; }
  constexpr auto operator<=>(const Instant&) const = default;

 private:
  constexpr explicit Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// Where the applications (not the stack) get time from.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() = 0;
};

// CLOCK_MONOTONIC. Cheap enough (vDSO) to read once per loop turn.
class MonotonicClock final : public Clock {
 public:
  Instant Now() override;
};

// A clock that moves only when told to: tests drive time with it.
class ManualClock final : public Clock {
 public:
  // Starts in the upper half of the 32-bit µs cycle (2^32 µs ≈ 4295 s), as
  // a real host's clock does half the time: code that keeps time in 32 bits
  // and forgets the wrap fails in every simulated test, not only on hosts
  // that have been up for the wrong number of minutes.
  static constexpr Instant kDefaultStart =
      Instant::FromNanos(int64_t{3'000} * 1'000'000'000);
  explicit ManualClock(Instant start = kDefaultStart) : now_(start) {}
  Instant Now() override { return now_; }
  void Advance(Duration d) { now_ += d; }
  void Set(Instant t) { now_ = t; }

 private:
  Instant now_;
};

}  // namespace skiff

#endif  // SKIFF_TIME_H_
