#include "apps/load/lcore_merge.h"

#include <algorithm>

namespace skiff::load {
namespace {

// k's part of `total` split n ways: the first total % n take one more.
uint64_t Share(uint64_t total, uint16_t n, uint16_t k) {
  return total / n + (k < total % n ? 1 : 0);
}

}  // namespace

LoadCounters& operator+=(LoadCounters& a, const LoadCounters& b) {
  a.conns_opened += b.conns_opened;
  a.conns_established += b.conns_established;
  a.requests_sent += b.requests_sent;
  a.requests_done += b.requests_done;
  a.bytes_in += b.bytes_in;
  a.bytes_out += b.bytes_out;
  for (size_t i = 0; i < kErrorKinds; ++i) a.errors[i] += b.errors[i];
  return a;
}

bool CanSplit(const LoadConfig& total, uint16_t n) {
  return total.concurrency >= n && total.max_in_flight >= n &&
         (total.count == 0 || total.count >= n);
}

LoadConfig SplitConfig(const LoadConfig& total, uint16_t n, uint16_t k) {
  LoadConfig c = total;
  c.concurrency = static_cast<uint32_t>(Share(total.concurrency, n, k));
  c.max_in_flight = static_cast<uint32_t>(Share(total.max_in_flight, n, k));
  c.count = Share(total.count, n, k);
  c.rate = total.rate / n;
  return c;
}

void SampleMerger::Add(uint16_t lcore, const LoadSample& s,
                       const bench::Histogram& interval) {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_.empty()) next_.assign(lcores_, 0);
  const size_t i = next_[lcore]++;
  if (i < emitted_) return;  // after Finish: too late to report
  Slot& slot = slots_[i];
  LoadSample& m = slot.sum;
  m.t = std::max(m.t, s.t);
  m.seconds = std::max(m.seconds, s.seconds);
  m.delta += s.delta;
  m.active += s.active;
  m.held += s.held;
  m.retransmits += s.retransmits;
  slot.latency.Merge(interval);
  ++slot.have;
  // Report complete intervals in order.
  while (!slots_.empty() && slots_.begin()->first == emitted_ &&
         slots_.begin()->second.have == lcores_) {
    Emit(slots_.begin()->second);
    slots_.erase(slots_.begin());
  }
}

void SampleMerger::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!slots_.empty()) {
    Emit(slots_.begin()->second);
    slots_.erase(slots_.begin());
  }
}

void SampleMerger::Emit(Slot& slot) {
  slot.sum.p50_ns = slot.latency.Percentile(0.5);
  slot.sum.p99_ns = slot.latency.Percentile(0.99);
  ++emitted_;
  on_sample_(slot.sum);
}

}  // namespace skiff::load
