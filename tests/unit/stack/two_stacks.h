// Two skiff Stacks joined by a SimWire, polled in one thread on a manual
// clock: the fixture for end-to-end TCP tests without a kernel in the way.
#ifndef SKIFF_TESTS_UNIT_STACK_TWO_STACKS_H_
#define SKIFF_TESTS_UNIT_STACK_TWO_STACKS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "drivers/sim/sim_wire.h"
#include "stack/stack_core.h"
#include "tests/support/eal_env.h"

namespace skiff::testing {

inline constexpr Ipv4Address kClientIp(10, 0, 0, 1);
inline constexpr Ipv4Address kServerIp(10, 0, 0, 2);

// Records what a StackCore tells its application.
class Recorder : public TcpEventHandler {
 public:
  void OnAcceptable(ListenerId l) override { acceptable.push_back(l); }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    events.push_back({s, ev});
    if (on_event) on_event(s, ev);
  }
  uint8_t EventsFor(SocketId s) const {
    uint8_t all = 0;
    for (const auto& [id, ev] : events)
      if (id == s) all |= ev;
    return all;
  }
  std::vector<ListenerId> acceptable;
  std::vector<std::pair<SocketId, uint8_t>> events;
  std::function<void(SocketId, uint8_t)> on_event;
};

class TwoStacks : public ::testing::Test {
 protected:
  void SetUp() override { Build({}, {}); }

  // `server_tcp`, when given, replaces `tcp` for the server stack.
  void Build(SimLinkConfig a_to_b, SimLinkConfig b_to_a,
             TcpLayerConfig tcp = {},
             const TcpLayerConfig* server_tcp = nullptr) {
    client_.reset();
    server_.reset();
    wire_.reset();
    pool_start_ = TestPool().available();
    auto wire = SimWire::Create({.a_to_b = a_to_b,
                                 .b_to_a = b_to_a,
                                 .clock = &clock_,
                                 .checksum_offload = checksum_offload_},
                                TestPool(), TestPool());
    ASSERT_TRUE(wire.ok()) << wire.status();
    wire_ = std::move(*wire);
    StackConfig c{.address = {kClientIp, 24}};
    c.tcp = tcp;
    StackConfig s{.address = {kServerIp, 24}};
    s.tcp = server_tcp != nullptr ? *server_tcp : tcp;
    client_ = std::make_unique<StackCore>(wire_->a(), c);
    server_ = std::make_unique<StackCore>(wire_->b(), s);
    client_->SetEventHandler(&client_events_);
    server_->SetEventHandler(&server_events_);
    client_->Start(clock_.Now());
    server_->Start(clock_.Now());
  }

  // Both directions lossy, reordering, duplicating and corrupting (1% each
  // of the last two), 100 µs delay; a->b seeded `seed`, b->a `seed + 1`.
  void BuildHostile(uint64_t seed, double loss) {
    SimLinkConfig bad{.seed = seed,
                      .loss = loss,
                      .reorder = 0.05,
                      .duplicate = 0.01,
                      .corrupt = 0.01,
                      .delay = Duration::Micros(100)};
    SimLinkConfig back = bad;
    back.seed = seed + 1;
    Build(bad, back);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    wire_.reset();
    EXPECT_EQ(TestPool().available(), pool_start_) << "mbufs leaked";
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
  // pending (StackCore::NextDeadline() is "now" then); Instant::Max() when
  // nothing at all is.
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
  bool checksum_offload_ = false;  // the wire's, for the next Build()
  int stalled_turns_ = 0;  // turns "due" that moved nothing (see Turn())
  std::unique_ptr<SimWire> wire_;
  std::unique_ptr<StackCore> client_;
  std::unique_ptr<StackCore> server_;
  Recorder client_events_;
  Recorder server_events_;
  uint32_t pool_start_ = 0;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_TWO_STACKS_H_
