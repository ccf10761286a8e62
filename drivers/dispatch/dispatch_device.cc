#include "drivers/dispatch/dispatch_device.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "drivers/rss/frame_hash.h"

namespace skiff {
namespace {

constexpr size_t kMaxBurst = 64;
// ARP over Ethernet (RFC 826): opcode at 6, sender IP at 14 of the payload.
constexpr size_t kEthLen = 14;
constexpr size_t kArpLen = 28;
constexpr uint16_t kArpRequest = 1;
constexpr uint16_t kArpReply = 2;

// One writer per counter (the lcore): relaxed load + store, no lock prefix.
void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DispatchGroup>> DispatchGroup::Create(
    const RssSteering& rss, const DispatchConfig& config) {
  std::unique_ptr<DispatchGroup> g(new DispatchGroup(rss, config));
  const uint16_t n = rss.queues();
  g->rings_.assign(size_t{n} * n, nullptr);
  const void* self = g.get();  // ring names are process-wide
  for (uint16_t from = 0; from < n; ++from) {
    for (uint16_t to = 0; to < n; ++to) {
      if (from == to) continue;
      const std::string name = absl::StrFormat("dp%p_%u_%u", self, from, to);
      rte_ring* r =
          rte_ring_create(name.c_str(), config.ring_size, SOCKET_ID_ANY,
                          RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
      if (r == nullptr) {
        return absl::ResourceExhaustedError(
            absl::StrFormat("rte_ring_create(%s, %u): %s", name,
                            config.ring_size, rte_strerror(rte_errno)));
      }
      g->rings_[size_t{from} * n + to] = r;
    }
  }
  return g;
}

DispatchGroup::~DispatchGroup() {
  for (rte_ring* r : rings_) {
    if (r == nullptr) continue;
    void* m;
    while (rte_ring_sc_dequeue(r, &m) == 0) {
      rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    }
    rte_ring_free(r);
  }
}

size_t DispatchDevice::RxBurst(std::span<Packet> out) {
  out = out.first(std::min(out.size(), kMaxBurst));
  size_t n = 0;
  peers_first_ = !peers_first_;
  if (peers_first_) n = TakeFromPeers(out);
  n += TakeFromQueue(out.subspan(n));
  if (!peers_first_) n += TakeFromPeers(out.subspan(n));
  return n;
}

size_t DispatchDevice::TakeFromPeers(std::span<Packet> out) {
  size_t n = 0;
  void* mbufs[kMaxBurst];
  for (uint16_t from = 0; from < group_.lcores() && n < out.size(); ++from) {
    if (from == lcore_) continue;
    const unsigned got = rte_ring_sc_dequeue_burst(
        group_.ring(from, lcore_), mbufs, static_cast<unsigned>(out.size() - n),
        nullptr);
    for (unsigned i = 0; i < got; ++i) {
      out[n++] = Packet(static_cast<rte_mbuf*>(mbufs[i]));
    }
  }
  if (n > 0) Bump(from_peers_, n);
  return n;
}

size_t DispatchDevice::TakeFromQueue(std::span<Packet> out) {
  // A full burst that was all someone else's says nothing about what is
  // left: read on (a few bursts at most), so that RxBurst returns 0 only
  // when the queue is drained or after bounded work.
  constexpr int kMaxRounds = 4;
  if (out.empty()) return 0;
  size_t keep = 0;
  for (int round = 0; round < kMaxRounds && keep == 0; ++round) {
    const size_t got = queue_.RxBurst(out);
    keep = Sort(out.first(got));
    if (got < out.size()) break;
  }
  return keep;
}

size_t DispatchDevice::Sort(std::span<Packet> out) {
  const size_t got = out.size();
  size_t keep = 0;
  uint64_t local = 0, handed = 0, full = 0;
  for (size_t i = 0; i < got; ++i) {
    Packet& p = out[i];
    const uint16_t owner = Owner(p);
    if (owner == kArp) {
      CopyToPeers(p);
    } else if (owner != lcore_) {
      if (rte_ring_sp_enqueue(group_.ring(lcore_, owner), p.mbuf()) == 0) {
        p.Release();
        ++handed;
      } else {
        p.Reset();
        ++full;
      }
      continue;
    } else {
      ++local;
    }
    if (keep != i) out[keep] = std::move(p);
    ++keep;
  }
  if (local > 0) Bump(local_, local);
  if (handed > 0) Bump(handed_off_, handed);
  if (full > 0) Bump(ring_full_, full);
  return keep;
}

uint16_t DispatchDevice::Owner(const Packet& p) {
  const RssSteering& rss = group_.rss();
  const rte_mbuf* m = p.mbuf();
  // An ICMP error belongs to the lcore of the connection it quotes (RFC 1122
  // §4.2.3.9, RFC 5927 need the TCB); neither the port's hash nor ours of
  // the outer addresses (often a router's) says which lcore that is.
  if (const FrameHash q = HashIcmpErrorQuote(rss.hash(), p.data());
      q.cls == FrameClass::kIpv4L4) {
    Bump(icmp_by_quote_);
    return rss.QueueOf(q.hash);
  }
  if (group_.config().port_hash_is_ours &&
      (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) != 0) {
    return rss.QueueOf(m->hash.rss);
  }
  const FrameHash h = HashFrame(rss.hash(), p.data());
  if (h.cls == FrameClass::kArp) return kArp;
  return rss.QueueOf(h.hash);
}

void DispatchDevice::CopyToPeers(const Packet& arp) {
  const auto d = arp.data();
  if (d.size() < kEthLen + kArpLen) return;  // the ARP layer counts it
  const std::byte* a = d.data() + kEthLen;
  const uint16_t op = LoadBe16(a + 6);
  // A probe (sender 0.0.0.0, RFC 5227 §2.1.1) teaches nothing.
  if (LoadBe32(a + 14) == 0 || (op != kArpRequest && op != kArpReply)) return;
  for (uint16_t to = 0; to < group_.lcores(); ++to) {
    if (to == lcore_) continue;
    rte_mbuf* c =
        rte_pktmbuf_copy(arp.mbuf(), queue_.pool().raw(), 0, UINT32_MAX);
    if (c == nullptr) {
      Bump(copy_failed_);
      continue;
    }
    if (op == kArpRequest) {
      StoreBe16(rte_pktmbuf_mtod_offset(c, std::byte*, kEthLen + 6), kArpReply);
    }
    if (rte_ring_sp_enqueue(group_.ring(lcore_, to), c) != 0) {
      rte_pktmbuf_free(c);
      Bump(copy_failed_);
      continue;
    }
    Bump(arp_copies_);
  }
}

DispatchCounters DispatchDevice::counters() const {
  auto r = [](const std::atomic<uint64_t>& c) {
    return c.load(std::memory_order_relaxed);
  };
  return {.local = r(local_),
          .handed_off = r(handed_off_),
          .from_peers = r(from_peers_),
          .ring_full = r(ring_full_),
          .arp_copies = r(arp_copies_),
          .copy_failed = r(copy_failed_),
          .icmp_by_quote = r(icmp_by_quote_)};
}

}  // namespace skiff
