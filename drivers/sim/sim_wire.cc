#include "drivers/sim/sim_wire.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "drivers/sim/checksum_offload.h"
#include "stack/wire/bytes.h"

namespace skiff {
namespace {

constexpr size_t kDrainBurst = 64;
constexpr size_t kEthernetHeader = 14;
constexpr size_t kMaxLinkOverhead = 18;  // Ethernet header + one VLAN tag
constexpr uint16_t kEtherTypeIpv4 = 0x0800;

// SplitMix64: small, fast, and the same sequence on every platform (the
// <random> distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // True with probability p.
  bool Roll(double p) {
    return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p;
  }

 private:
  uint64_t state_;
};

// Counters with a single writer each: a relaxed load and store is enough
// (no lock prefix on the data path) and readers on other threads see whole
// values.
void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

struct SimWire::Link {
  // What travels in the ring: the frame and when it is due at the far end.
  struct Slot {
    rte_mbuf* m;
    int64_t due_ns;
  };
  static_assert(sizeof(Slot) % 4 == 0);  // rte_ring element sizes
  // Frames taken off the ring, waiting until due: a min-heap on (due, seq).
  struct Staged {
    int64_t due_ns;
    uint64_t seq;  // ring order breaks ties: no reordering without cause
    rte_mbuf* m;
  };
  static bool Later(const Staged& x, const Staged& y) {
    return x.due_ns != y.due_ns ? x.due_ns > y.due_ns : x.seq > y.seq;
  }

  Link(const SimLinkConfig& c, uint64_t direction)
      : config(c), rng(c.seed * 2 + direction) {
    staged.reserve(c.ring_size);
  }
  ~Link() {
    for (const Staged& s : staged) rte_pktmbuf_free(s.m);
    if (ring == nullptr) return;
    Slot slot;
    while (rte_ring_sc_dequeue_elem(ring, &slot, sizeof(Slot)) == 0) {
      rte_pktmbuf_free(slot.m);
    }
    rte_ring_free(ring);
  }

  const SimLinkConfig config;
  rte_ring* ring = nullptr;
  Rng rng;                     // sender side
  std::vector<Staged> staged;  // receiver side
  uint64_t next_seq = 0;       // receiver side

  std::atomic<uint64_t> sent{0}, ring_full{0}, oversize{0}, lost{0},
      corrupted{0}, duplicated{0}, reordered{0}, delivered{0};
};

namespace {

// Flips one byte inside the IPv4 packet (not the link padding), so that the
// IPv4 or TCP checksum catches it (RFC 791 §3.1, RFC 9293 §3.1). Other
// frames (ARP) pass untouched: nothing above Ethernet's FCS would catch
// their corruption, and a real link drops those frames instead (a flipped
// sender MAC in an ARP reply would blackhole the peer until ARP aging).
bool CorruptFrame(rte_mbuf* m, Rng& rng) {
  const size_t len = m->data_len;
  if (len < kEthernetHeader + 20) return false;
  std::byte* d = rte_pktmbuf_mtod(m, std::byte*);
  if (LoadBe16(d + 12) != kEtherTypeIpv4) return false;
  const size_t total = std::max<size_t>(LoadBe16(d + 16), 20);
  const size_t end = std::min(len, kEthernetHeader + total);
  const size_t at = kEthernetHeader + rng.Next() % (end - kEthernetHeader);
  d[at] ^= static_cast<std::byte>(1 + rng.Next() % 255);
  return true;
}

}  // namespace

SimWire::SimWire(const SimWireConfig& config, PacketPool& pool_a,
                 PacketPool& pool_b)
    : clock_(config.clock),
      checksum_offload_(config.checksum_offload),
      ab_(std::make_unique<Link>(config.a_to_b, 0)),
      ba_(std::make_unique<Link>(config.b_to_a, 1)),
      a_(*this, pool_a, config.mac_a, config.mtu),
      b_(*this, pool_b, config.mac_b, config.mtu) {
  a_.out_ = ab_.get();
  a_.in_ = ba_.get();
  b_.out_ = ba_.get();
  b_.in_ = ab_.get();
}

SimWire::~SimWire() = default;

absl::StatusOr<std::unique_ptr<SimWire>> SimWire::Create(
    const SimWireConfig& config, PacketPool& pool_a, PacketPool& pool_b) {
  std::unique_ptr<SimWire> w(new SimWire(config, pool_a, pool_b));
  // Ring names are process-wide: the wire's address keeps them apart.
  const void* self = w.get();
  for (auto [link, dir] :
       {std::pair{w->ab_.get(), "ab"}, std::pair{w->ba_.get(), "ba"}}) {
    if (link->config.ring_size == 0) {
      return absl::InvalidArgumentError("SimLinkConfig.ring_size is 0");
    }
    const std::string name = absl::StrFormat("sw%p_%s", self, dir);
    link->ring = rte_ring_create_elem(
        name.c_str(), sizeof(Link::Slot), link->config.ring_size, SOCKET_ID_ANY,
        RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    if (link->ring == nullptr) {
      return absl::ResourceExhaustedError(
          absl::StrFormat("rte_ring_create_elem(%s, %u): %s", name,
                          link->config.ring_size, rte_strerror(rte_errno)));
    }
  }
  return w;
}

Instant SimWire::now() const {
  if (clock_ != nullptr) return clock_->Now();
  return Instant::FromNanos(now_ns_.load(std::memory_order_relaxed));
}

namespace {

SimLinkCounters Read(const auto& l) {
  auto r = [](const std::atomic<uint64_t>& c) {
    return c.load(std::memory_order_relaxed);
  };
  return {.sent = r(l.sent),
          .ring_full = r(l.ring_full),
          .oversize = r(l.oversize),
          .lost = r(l.lost),
          .corrupted = r(l.corrupted),
          .duplicated = r(l.duplicated),
          .reordered = r(l.reordered),
          .delivered = r(l.delivered)};
}

}  // namespace

SimLinkCounters SimWire::counters_a_to_b() const { return Read(*ab_); }
SimLinkCounters SimWire::counters_b_to_a() const { return Read(*ba_); }

DeviceCaps SimWire::Endpoint::caps() const {
  return wire_.checksum_offload_ ? kChecksumOffloadCaps : DeviceCaps{};
}

size_t SimWire::Endpoint::TxBurst(std::span<Packet> pkts) {
  Link& l = *out_;
  const int64_t now = wire_.now().nanos();
  const size_t max_frame = size_t{mtu_} + kMaxLinkOverhead;
  // Room for the frame and a possible duplicate. Only we enqueue, so the
  // free count can only grow under us.
  const unsigned room = l.config.duplicate > 0 ? 2 : 1;
  size_t i = 0;
  for (; i < pkts.size(); ++i) {
    if (rte_ring_free_count(l.ring) < room) break;
    Packet p = std::move(pkts[i]);
    Bump(l.sent);
    // Four draws per frame whatever the knobs, so that one fault's pattern
    // does not shift when another is turned on.
    const bool lose = l.rng.Roll(l.config.loss);
    const bool corrupt = l.rng.Roll(l.config.corrupt);
    const bool duplicate = l.rng.Roll(l.config.duplicate);
    const bool reorder = l.rng.Roll(l.config.reorder);
    if (p.length() > max_frame) {
      Bump(l.oversize);
      continue;  // p frees itself
    }
    if (lose) {
      Bump(l.lost);
      continue;
    }
    // The NIC sums before the frame leaves; the link corrupts after.
    ChecksumsWritten written;
    if (wire_.checksum_offload_) written = FinishTxChecksums(p.mbuf());
    if (corrupt && CorruptFrame(p.mbuf(), l.rng)) {
      Bump(l.corrupted);
      written = {};  // no longer right by construction: verify it again
    }
    // The far end's receive flags, set now (the bytes do not change in
    // flight): none without offload, as from a NIC that checked nothing.
    p.mbuf()->ol_flags =
        wire_.checksum_offload_ ? RxChecksumFlags(p.mbuf(), written) : 0;
    int64_t due = (Instant::FromNanos(now) + l.config.delay).nanos();
    rte_mbuf* copy = nullptr;
    if (duplicate) {
      copy = rte_pktmbuf_copy(p.mbuf(), pool_.raw(), 0, UINT32_MAX);
      if (copy != nullptr) {
        copy->ol_flags = p.mbuf()->ol_flags;  // not copied by DPDK
        Bump(l.duplicated);
      }
    }
    if (reorder) {
      due = (Instant::FromNanos(due) + l.config.reorder_delay).nanos();
      Bump(l.reordered);
    }
    Link::Slot slot{p.Release(), due};
    rte_ring_sp_enqueue_elem(l.ring, &slot, sizeof(slot));
    if (copy != nullptr) {
      Link::Slot dup{copy, (Instant::FromNanos(now) + l.config.delay).nanos()};
      rte_ring_sp_enqueue_elem(l.ring, &dup, sizeof(dup));
    }
  }
  if (i < pkts.size()) Bump(l.ring_full, pkts.size() - i);
  return i;
}

void SimWire::Endpoint::Drain() {
  Link& l = *in_;
  Link::Slot slots[kDrainBurst];
  while (l.staged.size() < l.config.ring_size) {
    const unsigned want = static_cast<unsigned>(
        std::min(kDrainBurst, l.config.ring_size - l.staged.size()));
    const unsigned n = rte_ring_sc_dequeue_burst_elem(
        l.ring, slots, sizeof(Link::Slot), want, nullptr);
    for (unsigned k = 0; k < n; ++k) {
      l.staged.push_back({slots[k].due_ns, l.next_seq++, slots[k].m});
      std::push_heap(l.staged.begin(), l.staged.end(), Link::Later);
    }
    if (n < want) break;
  }
}

size_t SimWire::Endpoint::RxBurst(std::span<Packet> out) {
  Drain();
  Link& l = *in_;
  const int64_t now = wire_.now().nanos();
  size_t n = 0;
  while (n < out.size() && !l.staged.empty() &&
         l.staged.front().due_ns <= now) {
    std::pop_heap(l.staged.begin(), l.staged.end(), Link::Later);
    rte_mbuf* m = l.staged.back().m;
    l.staged.pop_back();  // its ol_flags were set by TxBurst
    out[n++] = Packet(m);
  }
  if (n > 0) Bump(l.delivered, n);
  return n;
}

Instant SimWire::Endpoint::NextArrival() {
  Drain();
  if (in_->staged.empty()) return Instant::Max();
  return Instant::FromNanos(in_->staged.front().due_ns);
}

}  // namespace skiff
