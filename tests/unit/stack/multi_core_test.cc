// Many cores (issue 10), stepped from one thread on a manual clock that
// jumps to the next event (MultiCore::Turn): two client Stacks and two
// server Stacks, one per lcore, over a MultiQueueWire with two queue pairs
// per side. Each StackCore sits on a DispatchDevice (software dispatch, a no-op
// when the wire steers) under an audit that checks every TCP segment it is
// given belongs to its lcore by the side's RSS. Clients connect through an
// RssPortChooser, so the replies of their active opens come home.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "drivers/dispatch/dispatch_device.h"
#include "drivers/rss/frame_hash.h"
#include "drivers/sim/multi_queue_wire.h"
#include "stack/sockets/port_chooser.h"
#include "stack/stack_core.h"
#include "stack/wire/checksum.h"
#include "tests/support/eal_env.h"
#include "tests/unit/stack/tcp_app.h"

namespace skiff::testing {
namespace {

constexpr uint16_t kLcores = 2;
constexpr Ipv4Address kClientIp(10, 0, 0, 1);
constexpr Ipv4Address kServerIp(10, 0, 0, 2);
constexpr uint16_t kPort = 80;

// Counts, for lcore k, the TCP segments handed to its StackCore that RSS gives
// to lcore k (owned) and to another lcore (misdirected).
class AuditDevice final : public Device {
 public:
  AuditDevice(Device& inner, const RssSteering& rss, uint16_t lcore)
      : inner_(inner), rss_(rss), lcore_(lcore) {}
  size_t RxBurst(std::span<Packet> out) override {
    const size_t n = inner_.RxBurst(out);
    for (size_t i = 0; i < n; ++i) {
      const FrameHash h = HashFrame(rss_.hash(), out[i].data());
      if (h.cls != FrameClass::kIpv4L4) continue;
      ++(rss_.QueueOf(h.hash) == lcore_ ? owned : misdirected);
    }
    return n;
  }
  size_t TxBurst(std::span<Packet> pkts) override {
    return inner_.TxBurst(pkts);
  }
  MacAddress mac() const override { return inner_.mac(); }
  uint16_t mtu() const override { return inner_.mtu(); }
  DeviceCaps caps() const override { return inner_.caps(); }
  PacketPool& pool() override { return inner_.pool(); }

  uint64_t owned = 0;
  uint64_t misdirected = 0;

 private:
  Device& inner_;
  const RssSteering& rss_;
  uint16_t lcore_;
};

// One side (clients or servers): per lcore a dispatch step, an audit, a
// StackCore and its application.
struct Side {
  std::unique_ptr<DispatchGroup> group;
  std::array<std::unique_ptr<DispatchDevice>, kLcores> dispatch;
  std::array<std::unique_ptr<AuditDevice>, kLcores> audit;
  std::array<std::unique_ptr<RssPortChooser>, kLcores> chooser;
  std::array<std::unique_ptr<StackCore>, kLcores> stack;
  std::array<std::unique_ptr<TcpApp>, kLcores> app;

  uint64_t Sum(uint64_t AuditDevice::*f) const {
    uint64_t s = 0;
    for (const auto& a : audit) s += (*a).*f;
    return s;
  }
  uint64_t Sum(uint64_t DispatchCounters::*f) const {
    uint64_t s = 0;
    for (const auto& d : dispatch) s += d->counters().*f;
    return s;
  }
  uint64_t Sum(uint64_t TcpCounters::*f) const {
    uint64_t s = 0;
    for (const auto& st : stack) s += st->counters().tcp.*f;
    return s;
  }
};

class MultiCore : public ::testing::Test {
 protected:
  void TearDown() override {
    for (Side* s : {&clients_, &servers_}) {
      for (auto& a : s->app) a.reset();
      for (auto& st : s->stack) st.reset();
    }
    clients_ = {};
    servers_ = {};
    wire_.reset();
    EXPECT_EQ(TestPool().available(), pool_start_) << "mbufs leaked";
    EXPECT_EQ(stalled_turns_, 0)
        << "turns where a stack called itself due yet moved nothing";
  }

  // A bound on the turns of one run, far above what any test takes (a turn
  // is spent only on an event), so a stack that never goes idle fails the
  // test instead of hanging it.
  static constexpr int kMaxTurns = 2'000'000;
  static constexpr Duration kStalledStep = Duration::Micros(50);

  // `steer_clients`: whether clients pick ports whose replies come home.
  void Build(SimSteering steering, bool steer_clients = true) {
    pool_start_ = TestPool().available();
    MultiQueueWireConfig c;
    c.a.queues = c.b.queues = kLcores;
    c.a.steering = c.b.steering = steering;
    auto w = MultiQueueWire::Create(c, TestPool(), TestPool());
    ASSERT_TRUE(w.ok()) << w.status();
    wire_ = std::move(*w);
    const bool hw = steering == SimSteering::kRss;
    BuildSide(clients_, true, hw, steer_clients);
    BuildSide(servers_, false, hw, false);
    for (auto& s : servers_.stack) ASSERT_TRUE(s->Listen(kPort, 4096).ok());
    for (Side* s : {&clients_, &servers_}) {
      for (auto& st : s->stack) st->Start(clock_.Now());
    }
  }

  void BuildSide(Side& side, bool is_client, bool hw, bool chooser) {
    const RssSteering& rss = is_client ? wire_->rss_a() : wire_->rss_b();
    auto g = DispatchGroup::Create(rss, {.port_hash_is_ours = hw});
    ASSERT_TRUE(g.ok()) << g.status();
    side.group = std::move(*g);
    for (uint16_t k = 0; k < kLcores; ++k) {
      Device& q = is_client ? wire_->a(k) : wire_->b(k);
      side.dispatch[k] = std::make_unique<DispatchDevice>(*side.group, k, q);
      side.audit[k] = std::make_unique<AuditDevice>(*side.dispatch[k], rss, k);
      StackConfig sc{.address = {is_client ? kClientIp : kServerIp, 24}};
      if (chooser) {
        side.chooser[k] = std::make_unique<RssPortChooser>(rss, k);
        sc.tcp.port_chooser = side.chooser[k].get();
      }
      side.stack[k] = std::make_unique<StackCore>(*side.audit[k], sc);
      side.app[k] = std::make_unique<TcpApp>(*side.stack[k]);
    }
  }

  // One turn of every stack, then the clock jumps to the next event: not
  // at all while a frame is on its way (the wire and the dispatch rings
  // deliver at once, so it is due now), else to the earliest stack
  // deadline, but not past `limit`. A turn that moved no frame while a
  // stack still calls itself due is a busy-spinning loop: counted (a
  // failure at TearDown), and time moves on by kStalledStep so that the
  // test ends and reports it.
  void Turn(Instant limit = Instant::Max()) {
    const uint64_t moved0 = FramesMoved();
    for (Side* s : {&clients_, &servers_}) {
      for (auto& st : s->stack) st->Poll(clock_.Now());
    }
    if (InFlight() > 0) return;
    Instant next = Instant::Max();
    for (Side* s : {&clients_, &servers_}) {
      for (auto& st : s->stack) next = std::min(next, st->NextDeadline());
    }
    if (next <= clock_.Now() && FramesMoved() == moved0) {
      ++stalled_turns_;
      next = clock_.Now() + kStalledStep;
    }
    next = std::min(next, limit);
    if (next != Instant::Max() && next > clock_.Now()) clock_.Set(next);
  }
  // Turns until `d` of simulated time has passed.
  void RunFor(Duration d) {
    const Instant end = clock_.Now() + d;
    for (int turns = 0; clock_.Now() < end; ++turns) {
      ASSERT_LT(turns, kMaxTurns) << "a stack never goes idle";
      Turn(end);
    }
  }
  // Frames sent and received on every queue of the wire, and handed between
  // lcores, so far.
  uint64_t FramesMoved() {
    uint64_t n = 0;
    for (uint16_t k = 0; k < kLcores; ++k) {
      n += wire_->a(k).sent() + wire_->a(k).received() + wire_->b(k).sent() +
           wire_->b(k).received();
    }
    for (const Side* s : {&clients_, &servers_}) {
      n += s->Sum(&DispatchCounters::from_peers);
    }
    return n;
  }
  // Frames on their way: in a receive queue's ring, or in a dispatch ring
  // (handed off or an ARP copy, not yet taken by the lcore it is for).
  uint64_t InFlight() {
    uint64_t sent = 0, received = 0;
    for (uint16_t k = 0; k < kLcores; ++k) {
      sent += wire_->a(k).sent() + wire_->b(k).sent();
      received += wire_->a(k).received() + wire_->b(k).received();
    }
    for (const Side* s : {&clients_, &servers_}) {
      sent += s->Sum(&DispatchCounters::handed_off) +
              s->Sum(&DispatchCounters::arp_copies);
      received += s->Sum(&DispatchCounters::from_peers);
    }
    return sent - received;
  }

  // Every client lcore runs `per_lcore` echo connections of `bytes` each,
  // `concurrency` at a time; each must come back byte-exact. Returns the
  // number of flows that did.
  uint64_t RunEcho(uint64_t per_lcore, uint64_t bytes, int concurrency,
                   Duration limit) {
    for (auto& a : servers_.app) a->accept_script = {.echo = true};
    std::array<uint64_t, kLcores> opened{}, good{}, bad{};
    for (uint16_t k = 0; k < kLcores; ++k) {
      TcpApp& app = *clients_.app[k];
      app.on_done = [&, k](SocketId, Flow& f) {
        const bool ok = f.eof && !f.reset && f.received == bytes &&
                        f.rx_hash.h == f.sent_hash.h;
        ++(ok ? good[k] : bad[k]);
      };
    }
    auto open = [&](uint16_t k) {
      const SocketId s =
          clients_.app[k]->Connect(kServerIp, kPort,
                                   {.send_total = bytes,
                                    .seed = opened[k] * kLcores + k,
                                    .shutdown_instead = true});
      EXPECT_TRUE(s.valid()) << "lcore " << k << " connect " << opened[k];
      ++opened[k];
    };
    const Instant end = clock_.Now() + limit;
    for (int turns = 0; clock_.Now() < end; ++turns) {
      if (turns == kMaxTurns) {
        ADD_FAILURE() << kMaxTurns << " turns: a stack never goes idle";
        break;
      }
      bool done = true;
      for (uint16_t k = 0; k < kLcores; ++k) {
        const uint64_t finished = good[k] + bad[k];
        while (opened[k] < per_lcore &&
               opened[k] - finished < static_cast<uint64_t>(concurrency)) {
          open(k);
        }
        done = done && finished == per_lcore;
      }
      if (done) break;
      Turn(end);
    }
    uint64_t total_good = 0;
    for (uint16_t k = 0; k < kLcores; ++k) {
      EXPECT_EQ(bad[k], 0u) << "lcore " << k;
      EXPECT_EQ(good[k], per_lcore) << "lcore " << k;
      total_good += good[k];
    }
    return total_good;
  }

  void ExpectEveryLcoreServed() {
    for (uint16_t k = 0; k < kLcores; ++k) {
      EXPECT_GT(servers_.app[k]->accepted, 0u) << "server lcore " << k;
      EXPECT_GT(clients_.audit[k]->owned, 0u) << "client lcore " << k;
    }
  }
  void ExpectNoMisdirectionNoReset() {
    for (const Side* s : {&clients_, &servers_}) {
      EXPECT_EQ(s->Sum(&AuditDevice::misdirected), 0u);
      EXPECT_EQ(s->Sum(&TcpCounters::resets_out), 0u);
      EXPECT_EQ(s->Sum(&TcpCounters::resets_in), 0u);
      EXPECT_EQ(s->Sum(&DispatchCounters::ring_full), 0u);
    }
  }

  ManualClock clock_;
  int stalled_turns_ = 0;  // see Turn()
  std::unique_ptr<MultiQueueWire> wire_;
  Side clients_, servers_;
  uint32_t pool_start_ = 0;
};

TEST_F(MultiCore, SteeringWire_ThousandsOfShortConnections_AllHomeNoHandoff) {
  Build(SimSteering::kRss);
  EXPECT_EQ(RunEcho(1500, 300, 64, Duration::Seconds(60)), 3000u);
  ExpectEveryLcoreServed();
  ExpectNoMisdirectionNoReset();
  for (const Side* s : {&clients_, &servers_}) {
    EXPECT_EQ(s->Sum(&DispatchCounters::handed_off), 0u);
    EXPECT_GE(s->Sum(&AuditDevice::owned), 3000u * 2);  // SYN-ACK, data+FIN
  }
}

TEST_F(MultiCore, SteeringWire_BulkEcho_ByteExactNoHandoff) {
  Build(SimSteering::kRss);
  EXPECT_EQ(RunEcho(2, 4 << 20, 2, Duration::Seconds(120)), 4u);
  ExpectEveryLcoreServed();
  ExpectNoMisdirectionNoReset();
  for (const Side* s : {&clients_, &servers_}) {
    EXPECT_EQ(s->Sum(&DispatchCounters::handed_off), 0u);
  }
}

// One queue per side takes everything: lcore 1 sees traffic only through
// dispatch, and still every segment reaches its owner.
TEST_F(MultiCore, SingleQueueWire_SoftwareDispatch_CorrectHandoffsCounted) {
  Build(SimSteering::kSingleQueue);
  EXPECT_EQ(RunEcho(1000, 300, 64, Duration::Seconds(60)), 2000u);
  EXPECT_EQ(RunEcho(1, 2 << 20, 1, Duration::Seconds(120)), 2u);
  ExpectEveryLcoreServed();
  ExpectNoMisdirectionNoReset();
  for (const Side* s : {&clients_, &servers_}) {
    EXPECT_GT(s->Sum(&DispatchCounters::handed_off), 1000u);
    EXPECT_EQ(s->Sum(&DispatchCounters::handed_off),
              s->Sum(&DispatchCounters::from_peers) -
                  s->Sum(&DispatchCounters::arp_copies));
  }
}

// A port hashing with a key of its own (a kernel fanout hash): flows and
// their replies land anywhere; dispatch puts them right.
TEST_F(MultiCore, ForeignHashWire_SoftwareDispatch_Correct) {
  Build(SimSteering::kForeignHash);
  EXPECT_EQ(RunEcho(500, 300, 32, Duration::Seconds(60)), 1000u);
  ExpectEveryLcoreServed();
  ExpectNoMisdirectionNoReset();
  EXPECT_GT(clients_.Sum(&DispatchCounters::handed_off), 100u);
}

// Without the port chooser a client's SYN-ACKs reach the other lcore about
// half the time, and that lcore, knowing no such connection, answers with
// a RST (RFC 9293 §3.10.7.1): the failure the chooser exists to prevent.
TEST_F(MultiCore, SteeringWire_WithoutPortChooser_RepliesGoAstray) {
  Build(SimSteering::kRss, /*steer_clients=*/false);
  for (uint16_t k = 0; k < kLcores; ++k) {
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(clients_.stack[k]->Connect(kServerIp, kPort).ok());
    }
  }
  RunFor(Duration::Millis(4));
  EXPECT_GT(clients_.Sum(&TcpCounters::resets_out), 10u);
}

// An lcore's share of a small range runs out: Connect says so with a typed
// error, and every port it did hand out brings the replies home.
TEST_F(MultiCore, PortChooser_ShareExhausted_TypedErrorNoStrayPort) {
  Build(SimSteering::kRss);
  const RssSteering& rss = wire_->rss_a();
  RssPortChooser small(rss, 1, 60000, 60063);  // 64 ports, ~half lcore 1's
  StackConfig sc{.address = {kClientIp, 24}};
  sc.tcp.port_chooser = &small;
  StackCore lone(*clients_.audit[1], sc);
  lone.Start(clock_.Now());
  int opened = 0;
  for (;; ++opened) {
    const ConnectResult r = lone.Connect(kServerIp, kPort);
    if (!r.ok()) {
      EXPECT_EQ(r.error(), ConnectError::kNoEphemeralPort);
      break;
    }
    const uint16_t p = lone.Find(r.value())->tuple().local_port;
    EXPECT_EQ(rss.QueueOfIpv4L4(kServerIp.value(), kClientIp.value(), kPort, p),
              1);
    ASSERT_LT(opened, 64);
  }
  EXPECT_GT(opened, 16);
  EXPECT_LT(opened, 48);
}

// An ICMP port unreachable (RFC 792) from `router` to the client about the
// datagram at the start of `syn` (an Ethernet frame the client sent).
Packet IcmpUnreachableAbout(const Packet& syn, Ipv4Address router,
                            MacAddress to, MacAddress from) {
  constexpr size_t kQuote = 20 + 8;  // IP header + 8 bytes (RFC 792)
  const ConstByteSpan d = syn.data();
  std::vector<std::byte> f(14 + 20 + 8 + kQuote);
  to.Store(f.data());
  from.Store(f.data() + 6);
  StoreBe16(f.data() + 12, 0x0800);
  std::byte* ip = f.data() + 14;
  Store8(ip, 0x45);
  StoreBe16(ip + 2, static_cast<uint16_t>(20 + 8 + kQuote));
  Store8(ip + 8, 64);
  Store8(ip + 9, 1);
  StoreBe32(ip + 12, router.value());
  std::copy(d.begin() + 14 + 12, d.begin() + 14 + 16, ip + 16);  // SYN's src
  StoreBe16(ip + 10, InternetChecksum(ConstByteSpan(ip, 20)));
  std::byte* icmp = ip + 20;
  Store8(icmp, 3);      // destination unreachable
  Store8(icmp + 1, 3);  // port unreachable: a hard error in SYN-SENT
  std::copy(d.begin() + 14, d.begin() + 14 + kQuote, icmp + 8);
  StoreBe16(icmp + 2, InternetChecksum(ConstByteSpan(icmp, 8 + kQuote)));
  Packet p = TestPool().Alloc();
  std::copy(f.begin(), f.end(), p.Append(static_cast<uint16_t>(f.size())));
  return p;
}

// A router's ICMP error hashes by the outer address pair at the NIC, so
// every error lands on one queue whatever flow it is about. Dispatch hands
// each to the lcore owning the quoted connection, where TCP acts on it
// (RFC 1122 §4.2.3.9: port unreachable aborts a SYN-SENT connection).
TEST_F(MultiCore, IcmpErrorsFromARouter_ReachTheQuotedConnectionsLcore) {
  Build(SimSteering::kRss);
  EXPECT_EQ(RunEcho(2, 100, 2, Duration::Seconds(10)), 4u);  // ARP learnt
  constexpr int kPerLcore = 40;
  int failed = 0;
  for (uint16_t k = 0; k < kLcores; ++k) {
    clients_.app[k]->on_done = [&](SocketId, Flow& f) {
      failed += f.reset && !f.connected;
    };
    for (int i = 0; i < kPerLcore; ++i) {
      ASSERT_TRUE(clients_.app[k]->Connect(kServerIp, kPort, {}).valid());
    }
  }
  for (auto& st : clients_.stack) st->Poll(clock_.Now());  // the SYNs
  // The servers do not run: take the SYNs off their queues and answer each
  // from a router instead, all into the clients' queue 0.
  const Ipv4Address router(10, 0, 0, 254);
  std::vector<Packet> errors;
  std::array<Packet, 32> burst;
  for (uint16_t k = 0; k < kLcores; ++k) {
    for (size_t n; (n = wire_->b(k).RxBurst(burst)) > 0;) {
      for (size_t i = 0; i < n; ++i) {
        errors.push_back(IcmpUnreachableAbout(
            burst[i], router, wire_->a(0).mac(), wire_->b(0).mac()));
        burst[i].Reset();
      }
    }
  }
  ASSERT_EQ(errors.size(), size_t{kLcores} * kPerLcore);
  ASSERT_EQ(wire_->b(0).TxBurst(errors), errors.size());
  for (int i = 0; i < 20; ++i) {  // 0.4 ms: no SYN is resent in between
    for (auto& st : clients_.stack) st->Poll(clock_.Now());
    clock_.Advance(Duration::Micros(20));
  }
  EXPECT_EQ(failed, kLcores * kPerLcore);
  EXPECT_EQ(clients_.Sum(&TcpCounters::icmp_errors_in),
            uint64_t{kLcores} * kPerLcore);
  EXPECT_EQ(clients_.Sum(&TcpCounters::icmp_errors_rejected), 0u);
  EXPECT_EQ(clients_.Sum(&DispatchCounters::icmp_by_quote),
            uint64_t{kLcores} * kPerLcore);
  EXPECT_GT(clients_.Sum(&DispatchCounters::handed_off), 0u);
}

}  // namespace
}  // namespace skiff::testing
