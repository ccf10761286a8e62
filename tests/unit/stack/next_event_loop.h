// Two stacks over a SimWire, polled in one thread on a manual clock that
// jumps to the next event: the stepping shared by TwoStacks (StackCore) and
// the tests of the public facade (Stack). S has Poll(Instant) and
// NextDeadline(); the fixture that derives builds wire_, client_, server_.
#ifndef SKIFF_TESTS_UNIT_STACK_NEXT_EVENT_LOOP_H_
#define SKIFF_TESTS_UNIT_STACK_NEXT_EVENT_LOOP_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "drivers/sim/sim_wire.h"

namespace skiff::testing {

template <typename S>
class NextEventLoop : public ::testing::Test {
 protected:
  // Frees the stacks before the wire; fails the test on stalled turns.
  void TearDown() override {
    client_.reset();
    server_.reset();
    wire_.reset();
    EXPECT_EQ(stalled_turns_, 0)
        << "turns where a stack called itself due yet moved nothing";
  }

  // A bound on the turns of one RunUntil/RunFor, so that a stack that never
  // goes idle fails the test instead of hanging it. Far above what any test
  // takes: a turn is spent only on an event.
  static constexpr int kMaxTurns = 2'000'000;
  // How far time moves after a turn that moved no frame while a stack still
  // calls itself due, with nothing in flight on the wire to wait for.
  static constexpr Duration kStalledStep = Duration::Micros(50);

  // The next event: the earliest of the next frame due on either end of the
  // wire and either stack's next timer. At or before Now() when work is
  // pending (NextDeadline() is "now" then); Instant::Max() when nothing at
  // all is.
  Instant NextEvent() {
    return std::min(
        {NextArrival(), client_->NextDeadline(), server_->NextDeadline()});
  }
  Instant NextArrival() {
    return std::min(wire_->a().NextArrival(), wire_->b().NextArrival());
  }

  // One loop turn of each stack, then the clock jumps to the next event, but
  // not past `limit`: no time passes while work is pending now, and none
  // while nothing at all is pending (no timer, nothing in flight).
  //
  // A turn where a stack calls itself due (NextDeadline() "now") yet moves
  // nothing is a busy-spinning loop: counted, and a failure at TearDown.
  // It was seen when a timer fell due between two ticks of the layer's
  // 1 ms wheel, before TcpLayer::Update fired such timers at the touch.
  // Time still moves (to the next arrival, or by kStalledStep) so that the
  // test ends and reports it rather than hanging.
  void Turn(Instant limit = Instant::Max()) {
    const uint64_t moved0 = FramesMoved();
    PollBoth();
    AdvanceToNextEvent(limit, moved0);
  }
  // Turns until pred() or `limit` of simulated time; returns pred(). The
  // clock stops at the turn that made pred() true: no jump after it.
  bool RunUntil(const std::function<bool()>& pred,
                Duration limit = Duration::Seconds(10)) {
    const Instant end = clock_.Now() + limit;
    for (int turns = 0;; ++turns) {
      if (pred()) return true;
      if (clock_.Now() >= end) return false;
      if (turns == kMaxTurns) {
        ADD_FAILURE() << "RunUntil: " << kMaxTurns << " turns, "
                      << (end - clock_.Now()).nanos() << " ns short of the "
                      << "limit: a stack never goes idle";
        return false;
      }
      const uint64_t moved0 = FramesMoved();
      PollBoth();
      if (pred()) return true;
      AdvanceToNextEvent(end, moved0);
    }
  }
  // Turns until `d` of simulated time has passed; the clock ends at exactly
  // Now() + d.
  void RunFor(Duration d) {
    const Instant end = clock_.Now() + d;
    for (int turns = 0; clock_.Now() < end; ++turns) {
      if (turns == kMaxTurns) {
        ADD_FAILURE() << "RunFor: " << kMaxTurns << " turns, "
                      << (end - clock_.Now()).nanos() << " ns short of the "
                      << "end: a stack never goes idle";
        return;
      }
      Turn(end);
    }
  }

  void PollBoth() {
    client_->Poll(clock_.Now());
    server_->Poll(clock_.Now());
  }
  // The clock part of Turn(); `moved0` is FramesMoved() before the polls.
  void AdvanceToNextEvent(Instant limit, uint64_t moved0) {
    Instant next = NextEvent();
    if (next <= clock_.Now() && FramesMoved() == moved0) {
      ++stalled_turns_;
      next = NextArrival();
      if (next <= clock_.Now() || next == Instant::Max()) {
        next = clock_.Now() + kStalledStep;
      }
    }
    next = std::min(next, limit);
    if (next != Instant::Max() && next > clock_.Now()) clock_.Set(next);
  }
  // Frames sent or received on the wire so far, both directions.
  uint64_t FramesMoved() const {
    const SimLinkCounters ab = wire_->counters_a_to_b();
    const SimLinkCounters ba = wire_->counters_b_to_a();
    return ab.sent + ab.delivered + ba.sent + ba.delivered;
  }

  ManualClock clock_;
  int stalled_turns_ = 0;  // turns "due" that moved nothing (see Turn())
  std::unique_ptr<SimWire> wire_;
  std::unique_ptr<S> client_;
  std::unique_ptr<S> server_;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_NEXT_EVENT_LOOP_H_
