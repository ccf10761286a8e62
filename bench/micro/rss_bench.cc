// Many cores (issue 10): the costs that decide how skiff scales.
//  - BM_Toeplitz*: the RSS hash of an IPv4 4-tuple, skiff's table hash
//    against DPDK's rte_softrss (bit-serial).
//  - BM_DispatchHandoff: software dispatch moving packets from the lcore
//    whose queue received them to their owner: the hash, the RETA, the
//    single-producer enqueue on one side and the dequeue on the other. Per
//    packet, both sides together (one thread plays both lcores).
//  - BM_DispatchSteered: the same step when the port steers with skiff's
//    key and reports the hash: what dispatch costs on a steering port.
//  - BM_Connections/N: N client and N server Stacks over the multi-queue
//    wire (RSS steering, port chooser, dispatch), stepped from one thread:
//    a short echo connection (SYN .. FIN, 64 bytes each way) per item,
//    both ends. Per-connection cost at N=2 equal to N=1 means nothing is
//    shared; on this 2-core machine threads would measure contention, not
//    skiff.
#include <benchmark/benchmark.h>
#include <rte_mbuf.h>
#include <rte_thash.h>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "bench/micro/micro_env.h"
#include "drivers/dispatch/dispatch_device.h"
#include "drivers/sim/multi_queue_wire.h"
#include "stack/base/rss.h"
#include "stack/sockets/port_chooser.h"
#include "stack/stack_core.h"
#include "tests/unit/stack/tcp_app.h"

namespace skiff::bench {
namespace {

void BM_ToeplitzTable(benchmark::State& state) {
  const ToeplitzHash h(ToeplitzHash::kSymmetricKey);
  uint32_t src = 0x0a000001, acc = 0;
  uint16_t port = 1;
  for (auto _ : state) {
    acc ^= h.Ipv4L4(src, 0x0a000002, port++, 80);
    benchmark::DoNotOptimize(acc);
  }
}
BENCHMARK(BM_ToeplitzTable);

void BM_RteSoftrss(benchmark::State& state) {
  const ToeplitzHash::Key key = ToeplitzHash::kSymmetricKey;
  uint32_t t[3] = {0x0a000001, 0x0a000002, 80};
  uint32_t acc = 0;
  for (auto _ : state) {
    ++t[2];
    acc ^= rte_softrss(t, 3, key.data());
    benchmark::DoNotOptimize(acc);
  }
}
BENCHMARK(BM_RteSoftrss);

// Hands out the frames it is given back, as a receive queue would.
class ReplayQueue final : public Device {
 public:
  size_t RxBurst(std::span<Packet> out) override {
    size_t n = 0;
    while (n < out.size() && !frames.empty()) {
      out[n++] = Packet(frames.back());
      frames.pop_back();
    }
    return n;
  }
  size_t TxBurst(std::span<Packet>) override { return 0; }
  MacAddress mac() const override { return {}; }
  uint16_t mtu() const override { return 1500; }
  DeviceCaps caps() const override { return {}; }
  PacketPool& pool() override { return MicroPool(); }
  std::vector<rte_mbuf*> frames;
};

// 32 TCP frames of flows that RSS gives to `owner`.
std::vector<rte_mbuf*> FramesFor(const RssSteering& rss, uint16_t owner,
                                 bool with_hash) {
  std::vector<rte_mbuf*> v;
  for (uint16_t port = 1024; v.size() < 32; ++port) {
    const uint32_t h = rss.hash().Ipv4L4(0x0a000001, 0x0a000002, port, 80);
    if (rss.QueueOf(h) != owner) continue;
    Packet p = MicroPool().Alloc();
    std::byte* f = p.Append(54);
    std::memset(f, 0, 54);
    StoreBe16(f + 12, 0x0800);
    Store8(f + 14, 0x45);
    Store8(f + 14 + 9, 6);
    StoreBe32(f + 14 + 12, 0x0a000001);
    StoreBe32(f + 14 + 16, 0x0a000002);
    StoreBe16(f + 34, port);
    StoreBe16(f + 36, 80);
    if (with_hash) {
      p.mbuf()->hash.rss = h;
      p.mbuf()->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
    }
    v.push_back(p.Release());
  }
  return v;
}

void BM_DispatchHandoff(benchmark::State& state) {
  const RssSteering rss({.queues = 2});
  auto group = DispatchGroup::Create(rss, {});
  ReplayQueue q0, q1;
  DispatchDevice d0(**group, 0, q0), d1(**group, 1, q1);
  q0.frames = FramesFor(rss, 1, false);
  std::array<Packet, 32> burst;
  for (auto _ : state) {
    if (d0.RxBurst(burst) != 0) state.SkipWithError("kept a foreign packet");
    const size_t n = d1.RxBurst(burst);
    for (size_t i = 0; i < n; ++i) q0.frames.push_back(burst[i].Release());
  }
  state.SetItemsProcessed(state.iterations() * 32);
  for (rte_mbuf* m : q0.frames) rte_pktmbuf_free(m);
  state.counters["handed_off"] = static_cast<double>(d0.counters().handed_off);
}
BENCHMARK(BM_DispatchHandoff);

void BM_DispatchSteered(benchmark::State& state) {
  const RssSteering rss({.queues = 2});
  auto group = DispatchGroup::Create(rss, {.port_hash_is_ours = true});
  ReplayQueue q0;
  DispatchDevice d0(**group, 0, q0);
  q0.frames = FramesFor(rss, 0, true);
  std::array<Packet, 32> burst;
  for (auto _ : state) {
    const size_t n = d0.RxBurst(burst);
    for (size_t i = 0; i < n; ++i) q0.frames.push_back(burst[i].Release());
  }
  state.SetItemsProcessed(state.iterations() * 32);
  for (rte_mbuf* m : q0.frames) rte_pktmbuf_free(m);
  state.counters["handed_off"] = static_cast<double>(d0.counters().handed_off);
}
BENCHMARK(BM_DispatchSteered);

// N client and N server Stacks over the multi-queue wire.
class Lcores {
 public:
  explicit Lcores(uint16_t n) : n_(n) {
    MultiQueueWireConfig c;
    c.a.queues = c.b.queues = n;
    wire_ = std::move(*MultiQueueWire::Create(c, MicroPool(), MicroPool()));
    ga_ = std::move(
        *DispatchGroup::Create(wire_->rss_a(), {.port_hash_is_ours = true}));
    gb_ = std::move(
        *DispatchGroup::Create(wire_->rss_b(), {.port_hash_is_ours = true}));
    for (uint16_t k = 0; k < n; ++k) {
      da_.push_back(std::make_unique<DispatchDevice>(*ga_, k, wire_->a(k)));
      db_.push_back(std::make_unique<DispatchDevice>(*gb_, k, wire_->b(k)));
      choosers_.push_back(std::make_unique<RssPortChooser>(wire_->rss_a(), k));
      StackConfig cc{.address = {kClient, 24}};
      cc.tcp.port_chooser = choosers_.back().get();
      // Ports come back between iterations (simulated time is cheap).
      cc.tcp.connection.time_wait = Duration::Millis(10);
      clients_.push_back(std::make_unique<StackCore>(*da_.back(), cc));
      servers_.push_back(std::make_unique<StackCore>(
          *db_.back(), StackConfig{.address = {kServer, 24}}));
      servers_.back()->Listen(80, 4096);
      capps_.push_back(std::make_unique<testing::TcpApp>(*clients_.back()));
      sapps_.push_back(std::make_unique<testing::TcpApp>(*servers_.back()));
      sapps_.back()->accept_script = {.echo = true};
    }
    for (auto* v : {&clients_, &servers_}) {
      for (auto& s : *v) s->Start(clock_.Now());
    }
  }
  ~Lcores() {
    capps_.clear();
    sapps_.clear();
    clients_.clear();
    servers_.clear();
  }
  // `per_lcore` echo connections on every client lcore, 32 at a time.
  // Returns the number that completed.
  uint64_t Run(uint64_t per_lcore) {
    uint64_t done = 0, opened = 0;
    std::vector<uint64_t> open(n_, 0), fin(n_, 0);
    for (uint16_t k = 0; k < n_; ++k) {
      capps_[k]->on_done = [&, k](SocketId s, testing::Flow&) {
        ++fin[k];
        ++done;
        capps_[k]->flows.erase(s);
      };
      sapps_[k]->on_done = [&, k](SocketId s, testing::Flow&) {
        sapps_[k]->flows.erase(s);
      };
    }
    for (int turns = 0; done < per_lcore * n_ && turns < 1000000; ++turns) {
      for (uint16_t k = 0; k < n_; ++k) {
        while (open[k] < per_lcore && open[k] - fin[k] < 32) {
          if (!capps_[k]
                   ->Connect(kServer, 80,
                             {.send_total = 64, .shutdown_instead = true})
                   .valid()) {
            return done;
          }
          ++open[k];
          ++opened;
        }
      }
      for (auto* v : {&clients_, &servers_}) {
        for (auto& s : *v) s->Poll(clock_.Now());
      }
      clock_.Advance(Duration::Micros(20));
    }
    return done;
  }
  uint64_t handoffs() const {
    uint64_t h = 0;
    for (const auto& d : da_) h += d->counters().handed_off;
    for (const auto& d : db_) h += d->counters().handed_off;
    return h;
  }

 private:
  static constexpr Ipv4Address kClient{10, 0, 0, 1};
  static constexpr Ipv4Address kServer{10, 0, 0, 2};
  uint16_t n_;
  ManualClock clock_;
  std::unique_ptr<MultiQueueWire> wire_;
  std::unique_ptr<DispatchGroup> ga_, gb_;
  std::vector<std::unique_ptr<DispatchDevice>> da_, db_;
  std::vector<std::unique_ptr<RssPortChooser>> choosers_;
  std::vector<std::unique_ptr<StackCore>> clients_, servers_;
  std::vector<std::unique_ptr<testing::TcpApp>> capps_, sapps_;
};

void BM_Connections(benchmark::State& state) {
  const auto n = static_cast<uint16_t>(state.range(0));
  Lcores lcores(n);
  constexpr uint64_t kPerLcore = 256;
  uint64_t total = 0;
  for (auto _ : state) {
    const uint64_t done = lcores.Run(kPerLcore);
    if (done != kPerLcore * n) state.SkipWithError("connections stalled");
    total += done;
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["ns_per_conn"] = benchmark::Counter(
      static_cast<double>(total),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["handoffs"] = static_cast<double>(lcores.handoffs());
}
BENCHMARK(BM_Connections)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace skiff::bench
