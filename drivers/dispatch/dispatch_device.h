// Software dispatch: one StackCore per lcore, but a port that does not steer
// every flow to the queue of the lcore that owns it — af_packet whose fanout
// hash is the kernel's, tap, virtio or a NIC with fewer queues than lcores,
// a PMD that cannot take skiff's key. A DispatchDevice wraps lcore k's queue
// pair: on receive it computes, for every packet of its queue, the queue
// skiff's RssSteering would have picked (the Toeplitz hash of the 4-tuple
// and the RETA, drivers/rss/frame_hash.h) and hands the packets of other
// lcores to their owner over a single-producer/single-consumer rte_ring per
// ordered pair of lcores. Handing off never blocks: a full ring drops the
// packet (counted; TCP retransmits). Transmit goes straight to lcore k's
// own transmit queue.
//
// When the port does steer with skiff's key it reports the hash in the mbuf
// (RTE_MBUF_F_RX_RSS_HASH) and, with DispatchConfig::port_hash_is_ours,
// dispatch reads that instead of hashing: a flag test and a RETA load per
// packet, and no handoff.
//
// Neighbours (ARP). RSS does not hash ARP: NICs deliver it to RETA[0]'s
// queue, one lcore. Every ARP frame (probes excepted) is therefore also
// copied to every other lcore, so each lcore's ARP cache learns every
// neighbour without sharing a table or taking a lock. Copies of requests are
// relabelled as replies (RFC 826 merges a reply's sender the same way), so
// that only the lcore that received the request answers it.
//
// The stack above is unchanged: to it a DispatchDevice is a Device.
#ifndef SKIFF_DRIVERS_DISPATCH_DISPATCH_DEVICE_H_
#define SKIFF_DRIVERS_DISPATCH_DISPATCH_DEVICE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/device.h"
#include "stack/base/rss.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"

struct rte_ring;

namespace skiff {

struct DispatchConfig {
  // Packets waiting per ordered pair of lcores; a full ring drops.
  uint32_t ring_size = 1024;
  // The port hashes with the same key and fields as the RssSteering: trust
  // the hash it reports in the mbuf instead of computing one.
  bool port_hash_is_ours = false;
};

// What one lcore's dispatch step did. One writer (that lcore); readable
// from any thread.
struct DispatchCounters {
  uint64_t local = 0;          // from our queue, ours
  uint64_t handed_off = 0;     // from our queue, passed to their owner
  uint64_t from_peers = 0;     // handed to us by other lcores (ARP copies too)
  uint64_t ring_full = 0;      // dropped: the owner's ring was full
  uint64_t arp_copies = 0;     // ARP frames copied to other lcores
  uint64_t copy_failed = 0;    // ARP copies dropped: no mbuf or ring room
  uint64_t icmp_by_quote = 0;  // ICMP errors steered by the flow they quote
};

// The rings between the lcores of one port, and the steering they share.
class DispatchGroup {
 public:
  // `rss` (rss.queues() lcores) must outlive the group.
  static absl::StatusOr<std::unique_ptr<DispatchGroup>> Create(
      const RssSteering& rss, const DispatchConfig& config);
  ~DispatchGroup();  // frees what is still in the rings
  DispatchGroup(const DispatchGroup&) = delete;
  DispatchGroup& operator=(const DispatchGroup&) = delete;

  uint16_t lcores() const { return rss_.queues(); }
  const RssSteering& rss() const { return rss_; }
  const DispatchConfig& config() const { return config_; }
  // The ring from lcore `from` to lcore `to` (from != to).
  rte_ring* ring(uint16_t from, uint16_t to) const {
    return rings_[size_t{from} * lcores() + to];
  }

 private:
  DispatchGroup(const RssSteering& rss, const DispatchConfig& config)
      : rss_(rss), config_(config) {}
  const RssSteering& rss_;
  DispatchConfig config_;
  std::vector<rte_ring*> rings_;  // lcores x lcores, null on the diagonal
};

class DispatchDevice final : public Device {
 public:
  // lcore k's view of the port: `queue` is its own queue pair (which may
  // receive nothing when the port has fewer receive queues than lcores).
  DispatchDevice(DispatchGroup& group, uint16_t lcore, Device& queue)
      : group_(group), lcore_(lcore), queue_(queue) {}
  DispatchDevice(const DispatchDevice&) = delete;
  DispatchDevice& operator=(const DispatchDevice&) = delete;

  // Device.
  size_t RxBurst(std::span<Packet> out) override;
  size_t TxBurst(std::span<Packet> pkts) override {
    return queue_.TxBurst(pkts);
  }
  MacAddress mac() const override { return queue_.mac(); }
  uint16_t mtu() const override { return queue_.mtu(); }
  DeviceCaps caps() const override { return queue_.caps(); }
  PacketPool& pool() override { return queue_.pool(); }

  uint16_t lcore() const { return lcore_; }
  DispatchCounters counters() const;

 private:
  // Packets other lcores handed us, into out; returns how many.
  size_t TakeFromPeers(std::span<Packet> out);
  // Our queue's packets into out, keeping ours, handing off the rest.
  size_t TakeFromQueue(std::span<Packet> out);
  // Keeps ours at the front of `got`, hands off the rest; returns how many
  // it kept.
  size_t Sort(std::span<Packet> got);
  // The lcore that owns this packet; kArp for ARP (ours and copied).
  uint16_t Owner(const Packet& p);
  void CopyToPeers(const Packet& arp);

  static constexpr uint16_t kArp = 0xffff;

  DispatchGroup& group_;
  uint16_t lcore_;
  Device& queue_;
  bool peers_first_ = false;  // alternate, so neither side starves
  std::atomic<uint64_t> local_{0}, handed_off_{0}, from_peers_{0},
      ring_full_{0}, arp_copies_{0}, copy_failed_{0}, icmp_by_quote_{0};
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DISPATCH_DISPATCH_DEVICE_H_
