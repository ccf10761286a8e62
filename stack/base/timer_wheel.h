// A hashed timing wheel of (deadline, handle) entries, for many timers
// with few of them firing: each connection keeps its own deadline and the
// wheel only needs to wake it up on time.
//
// Lazy by design (as Linux's mod_timer users do): the owner schedules an
// entry when its deadline moves EARLIER than what it already has in the
// wheel; when an entry fires the owner is asked for its real deadline and
// re-schedules if that is later. Nothing is ever cancelled, so arming is
// O(1) with no search and stale entries cost one check when they fire.
#ifndef SKIFF_STACK_BASE_TIMER_WHEEL_H_
#define SKIFF_STACK_BASE_TIMER_WHEEL_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stack/base/clock.h"
#include "stack/base/slab.h"

namespace skiff {

class TimerWheel {
 public:
  // `tick`: resolution (timers fire at most one tick late); `slots`: the
  // wheel's span is tick * slots, later deadlines wait extra rounds.
  TimerWheel(Instant start, Duration tick = Duration::Millis(1),
             uint32_t slots = 1024)
      : tick_(tick.nanos()),
        slots_(slots),
        current_tick_(start.nanos() / tick_) {}

  void Schedule(Instant deadline, SlabHandle owner) {
    int64_t t = std::max(deadline.nanos() / tick_ + 1, current_tick_ + 1);
    // Round up, so an entry never fires before its deadline.
    slots_[static_cast<size_t>(t % static_cast<int64_t>(slots_.size()))]
        .push_back({deadline, owner});
    ++size_;
  }

  // Calls fire(owner) for every entry whose deadline is <= now. `fire` may
  // Schedule() again (for the next tick or later).
  template <typename F>
  void Advance(Instant now, F&& fire) {
    const int64_t target = now.nanos() / tick_;
    const int64_t n = static_cast<int64_t>(slots_.size());
    // After a long idle gap, one pass over every slot is enough.
    int64_t from = std::max(current_tick_ + 1, target - n + 1);
    current_tick_ = target;
    for (int64_t t = from; t <= target; ++t) {
      std::vector<Entry>& slot = slots_[static_cast<size_t>(t % n)];
      for (size_t i = 0; i < slot.size();) {
        if (slot[i].deadline <= now) {
          SlabHandle owner = slot[i].owner;
          slot[i] = slot.back();
          slot.pop_back();
          --size_;
          fire(owner);  // may push into this very slot: fine, indices stay
        } else {
          ++i;  // a later round
        }
      }
    }
  }

  size_t size() const { return size_; }
  // When the next Advance() could fire anything: the next tick, or
  // Instant::Max() when the wheel is empty.
  Instant next_tick() const {
    return size_ == 0 ? Instant::Max()
                      : Instant::FromNanos((current_tick_ + 1) * tick_);
  }

 private:
  struct Entry {
    Instant deadline;
    SlabHandle owner;
  };
  int64_t tick_;
  std::vector<std::vector<Entry>> slots_;
  int64_t current_tick_;
  size_t size_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_TIMER_WHEEL_H_
