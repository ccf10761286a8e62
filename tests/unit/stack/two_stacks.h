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
#include "tests/unit/stack/next_event_loop.h"
#include "tests/unit/stack/tcp_app.h"

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

// Stepped by NextEventLoop: the clock jumps to the next event, and a turn
// that spins is a failure.
class TwoStacks : public NextEventLoop<StackCore> {
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
    c.gro = gro_;
    s.gro = gro_;
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

  // Moves `bytes` client -> server on port 5001 (TcpApp both ends, the
  // server closes at EOF); true when they arrived byte-exact.
  bool Transfer(uint64_t bytes, Duration limit) {
    TcpApp server_app(*server_);
    TcpApp client_app(*client_);
    server_app.accept_script = {.close_when_sent = false, .close_on_eof = true};
    if (!server_->Listen(5001).ok()) return false;
    const SocketId cs =
        client_app.Connect(kServerIp, 5001, {.send_total = bytes, .seed = 9});
    if (!cs.valid()) return false;
    const Flow* got = nullptr;
    server_app.on_done = [&](SocketId, Flow& f) { got = &f; };
    if (!RunUntil([&] { return got != nullptr; }, limit)) return false;
    const Flow& sent = client_app.flows[cs];
    return got->received == bytes && got->rx_hash.h == sent.sent_hash.h &&
           got->eof && !got->reset;
  }

  void TearDown() override {
    NextEventLoop::TearDown();
    EXPECT_EQ(TestPool().available(), pool_start_) << "mbufs leaked";
  }

  bool checksum_offload_ = false;  // the wire's, for the next Build()
  bool gro_ = false;               // both stacks' StackConfig::gro, likewise
  Recorder client_events_;
  Recorder server_events_;
  uint32_t pool_start_ = 0;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_TWO_STACKS_H_
