// The TCP socket table (stack/sockets/socket_table.h, the type TcpLayer
// uses: a flat_hash_set of slot indices keyed by the tuple in the slot,
// on huge pages), then Slab<Connection>::Get, as TcpLayer::Input
// demultiplexes a segment (RFC 9293 §3.10.7). The same types, the real
// FourTuple hash and real Connections, at 1 K, 100 K and 1 M entries;
// lookups hit random entries so the large tables miss the caches as a busy
// server does.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "bench/micro/frames.h"
#include "stack/base/slab.h"
#include "stack/sockets/socket_table.h"
#include "stack/tcp/connection.h"
#include "stack/tcp/tcp_types.h"

namespace skiff::bench {
namespace {

// Client i: one of 2^16 ports on one of many addresses (10.1.0.0/16 ...).
FourTuple TupleOf(uint32_t i) {
  return {kServerIp, 80, Ipv4Address(0x0a010000u + (i >> 14)),
          static_cast<uint16_t>(1024 + (i & 0x3fff))};
}

struct Table {
  explicit Table(size_t n) : slab(n) {
    for (uint32_t i = 0; i < n; ++i) {
      const SlabHandle h = slab.Emplace(config, &drops);
      slab.Get(h)->Connect(TupleOf(i), SeqNum(i), Instant());
      map.Insert(h);
    }
  }
  TcpConfig config;
  DropCounters drops;
  Slab<Connection> slab;
  SocketTable<Connection> map{slab};
};

// One table per size, built once for all the benchmarks that use it.
Table& TableOf(size_t n) {
  static std::unique_ptr<Table> tables[3];
  size_t k = n <= 1000 ? 0 : n <= 100000 ? 1 : 2;
  if (!tables[k] || tables[k]->slab.size() != n) {
    tables[k].reset();
    tables[k] = std::make_unique<Table>(n);
  }
  return *tables[k];
}

std::vector<FourTuple> RandomKeys(size_t n, size_t count) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(n - 1));
  std::vector<FourTuple> keys(count);
  for (FourTuple& k : keys) k = TupleOf(pick(rng));
  return keys;
}

// Hit: find + Slab::Get + a read of the connection's state.
void BM_SocketTableLookupHit(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Table& t = TableOf(n);
  std::vector<FourTuple> keys = RandomKeys(n, 1 << 16);
  size_t i = 0;
  for (auto _ : state) {
    Connection* c = t.slab.Get(t.map.Find(keys[i++ & 0xffff]));
    benchmark::DoNotOptimize(c->state());
  }
  state.counters["entries"] = static_cast<double>(t.map.size());
  state.counters["bytes_per_conn"] = static_cast<double>(sizeof(Connection));
}
BENCHMARK(BM_SocketTableLookupHit)->Arg(1000)->Arg(100000)->Arg(1000000);

// Hit, the way an rx burst demultiplexes (stack_core.cc step 1): the
// table probes of a 32-frame burst are prefetched first, so their misses
// overlap, then each frame is looked up and its connection read. Per
// lookup.
void BM_SocketTableLookupBurst(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Table& t = TableOf(n);
  std::vector<FourTuple> keys = RandomKeys(n, 1 << 16);
  constexpr size_t kBurst = 32;
  size_t i = 0;
  for (auto _ : state) {
    const FourTuple* burst = &keys[i];
    i = (i + kBurst) & 0xffff;
    for (size_t k = 0; k < kBurst; ++k) t.map.Prefetch(burst[k]);
    for (size_t k = 0; k < kBurst; ++k) {
      Connection* c = t.slab.Get(t.map.Find(burst[k]));
      benchmark::DoNotOptimize(c->state());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBurst));
  state.counters["ns_per_lookup"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBurst),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SocketTableLookupBurst)->Arg(1000)->Arg(100000)->Arg(1000000);

// As above with a second stage: each probe, now cached, gives the
// connection's address, which is prefetched in turn before any frame is
// processed, so the TCB misses overlap too.
void BM_SocketTableLookupBurstTwoStage(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Table& t = TableOf(n);
  std::vector<FourTuple> keys = RandomKeys(n, 1 << 16);
  constexpr size_t kBurst = 32;
  Connection* conns[kBurst];
  size_t i = 0;
  for (auto _ : state) {
    const FourTuple* burst = &keys[i];
    i = (i + kBurst) & 0xffff;
    for (size_t k = 0; k < kBurst; ++k) t.map.Prefetch(burst[k]);
    for (size_t k = 0; k < kBurst; ++k) {
      conns[k] = t.slab.Get(t.map.Find(burst[k]));
      __builtin_prefetch(conns[k]);
    }
    for (size_t k = 0; k < kBurst; ++k) {
      benchmark::DoNotOptimize(conns[k]->state());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBurst));
  state.counters["ns_per_lookup"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBurst),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SocketTableLookupBurstTwoStage)
    ->Arg(1000)
    ->Arg(100000)
    ->Arg(1000000);

// Miss: a segment for no connection (then the listener, or a RST).
void BM_SocketTableLookupMiss(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Table& t = TableOf(n);
  std::vector<FourTuple> keys = RandomKeys(n, 1 << 16);
  for (FourTuple& k : keys) k.local_port = 81;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.map.Contains(keys[i++ & 0xffff]));
  }
}
BENCHMARK(BM_SocketTableLookupMiss)->Arg(1000)->Arg(100000)->Arg(1000000);

// The hash alone (absl::Hash over the FourTuple's fields).
void BM_FourTupleHash(benchmark::State& state) {
  std::vector<FourTuple> keys = RandomKeys(1000, 1 << 10);
  size_t i = 0;
  absl::Hash<FourTuple> h;
  for (auto _ : state) benchmark::DoNotOptimize(h(keys[i++ & 0x3ff]));
}
BENCHMARK(BM_FourTupleHash);

}  // namespace
}  // namespace skiff::bench
