#include "drivers/sim/multi_queue_wire.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "drivers/rss/frame_hash.h"
#include "drivers/sim/checksum_offload.h"

namespace skiff {
namespace {

constexpr size_t kMaxLinkOverhead = 18;  // Ethernet header + one VLAN tag

// Each counter has one writer (its queue's thread): a relaxed load and
// store, no lock prefix.
void Bump(std::atomic<uint64_t>& c, uint64_t n) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

MultiQueueWire::SideState::SideState(const MultiQueueSideConfig& c)
    : config(c),
      rss([&] {
        RssConfig r = c.rss;
        r.queues = c.queues;
        return r;
      }()),
      foreign(ToeplitzHash::kMicrosoftKey) {}

MultiQueueWire::MultiQueueWire(const MultiQueueWireConfig& config)
    : mtu_(config.mtu),
      checksum_offload_(config.checksum_offload),
      sides_{SideState(config.a), SideState(config.b)} {}

MultiQueueWire::~MultiQueueWire() {
  for (SideState& s : sides_) {
    for (auto& q : s.queues) {
      if (q->ring_ == nullptr) continue;
      void* m;
      while (rte_ring_sc_dequeue(q->ring_, &m) == 0) {
        rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      }
      rte_ring_free(q->ring_);
    }
  }
}

absl::StatusOr<std::unique_ptr<MultiQueueWire>> MultiQueueWire::Create(
    const MultiQueueWireConfig& config, PacketPool& pool_a,
    PacketPool& pool_b) {
  if (config.a.queues == 0 || config.b.queues == 0) {
    return absl::InvalidArgumentError("MultiQueueWire: a side has 0 queues");
  }
  std::unique_ptr<MultiQueueWire> w(new MultiQueueWire(config));
  const void* self = w.get();  // ring names are process-wide
  for (int side = 0; side < 2; ++side) {
    SideState& s = w->sides_[side];
    for (uint16_t q = 0; q < s.config.queues; ++q) {
      s.queues.emplace_back(
          new Queue(*w, side, q, side == 0 ? pool_a : pool_b));
      const std::string name = absl::StrFormat("mq%p_%d_%u", self, side, q);
      rte_ring* r =
          rte_ring_create(name.c_str(), config.ring_size, SOCKET_ID_ANY,
                          RING_F_SC_DEQ | RING_F_EXACT_SZ);
      if (r == nullptr) {
        return absl::ResourceExhaustedError(
            absl::StrFormat("rte_ring_create(%s, %u): %s", name,
                            config.ring_size, rte_strerror(rte_errno)));
      }
      s.queues.back()->ring_ = r;
    }
  }
  return w;
}

uint16_t MultiQueueWire::Steer(int to, Packet& p, uint64_t rx_flags) const {
  const SideState& s = sides_[to];
  rte_mbuf* m = p.mbuf();
  m->ol_flags = rx_flags;
  switch (s.config.steering) {
    case SimSteering::kSingleQueue:
      return 0;
    case SimSteering::kForeignHash:
      return static_cast<uint16_t>(HashFrame(s.foreign, p.data()).hash %
                                   s.config.queues);
    case SimSteering::kRss:
      break;
  }
  const FrameHash h = HashFrame(s.rss.hash(), p.data());
  if (h.cls == FrameClass::kIpv4L4 || h.cls == FrameClass::kIpv4) {
    m->hash.rss = h.hash;
    m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
  }
  return s.rss.QueueOf(h.hash);
}

size_t MultiQueueWire::Queue::TxBurst(std::span<Packet> pkts) {
  const int to = 1 - side_;
  const size_t max_frame = size_t{wire_.mtu_} + kMaxLinkOverhead;
  size_t i = 0;
  for (; i < pkts.size(); ++i) {
    Packet& p = pkts[i];
    if (p.length() > max_frame) {
      p.Reset();  // taken and dropped, as a port drops a giant
      continue;
    }
    // Nothing touches the frame between the two NICs: what the sending one
    // summed, the receiving one reports GOOD without summing again. No
    // offload: no flags, as from a NIC that checked nothing.
    const uint64_t rx_flags =
        wire_.checksum_offload_
            ? RxChecksumFlags(p.mbuf(), FinishTxChecksums(p.mbuf()))
            : 0;
    const uint16_t q = wire_.Steer(to, p, rx_flags);
    rte_ring* ring = wire_.sides_[to].queues[q]->ring_;
    if (rte_ring_mp_enqueue(ring, p.mbuf()) != 0) break;
    p.Release();
  }
  Bump(sent_, i);
  if (i < pkts.size()) {
    wire_.ring_full_.fetch_add(pkts.size() - i, std::memory_order_relaxed);
  }
  return i;
}

size_t MultiQueueWire::Queue::RxBurst(std::span<Packet> out) {
  constexpr size_t kMax = 64;
  void* mbufs[kMax];
  const unsigned want = static_cast<unsigned>(std::min(out.size(), kMax));
  const unsigned n = rte_ring_sc_dequeue_burst(ring_, mbufs, want, nullptr);
  for (unsigned k = 0; k < n; ++k) {
    out[k] = Packet(static_cast<rte_mbuf*>(mbufs[k]));
  }
  Bump(received_, n);
  return n;
}

DeviceCaps MultiQueueWire::Queue::caps() const {
  return wire_.checksum_offload_ ? kChecksumOffloadCaps : DeviceCaps{};
}

MacAddress MultiQueueWire::Queue::mac() const {
  return wire_.sides_[side_].config.mac;
}
uint16_t MultiQueueWire::Queue::mtu() const { return wire_.mtu_; }

}  // namespace skiff
