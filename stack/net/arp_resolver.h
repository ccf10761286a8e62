// ARP (RFC 826; RFC 1122 §2.3.2): answers requests for our address, learns
// neighbours with RFC 826's merge algorithm, and resolves next hops for IPv4
// output, parking packets (bounded) while a request is outstanding.
#ifndef SKIFF_STACK_NET_ARP_RESOLVER_H_
#define SKIFF_STACK_NET_ARP_RESOLVER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/net/local_addresses.h"
#include "stack/net/net_counters.h"
#include "stack/net/tx_queue.h"
#include "stack/wire/addr.h"
#include "stack/wire/arp.h"

namespace skiff {

struct ArpConfig {
  // How long a learned address is used without being confirmed again by ARP
  // traffic (RFC 1122 §2.3.2.1 requires some timeout; Linux uses ~30 s).
  Duration reachable_time = Duration::Seconds(60);
  // Gap between requests for one neighbour: RFC 1122 §2.3.2.1 says at most
  // one a second per destination.
  Duration retry_interval = Duration::Seconds(1);
  // Requests sent before giving up on a neighbour; its parked packets are
  // then dropped (kArpTimeout).
  uint32_t max_tries = 3;
  // Entries in the cache, complete or not; beyond it kArpTableFull.
  size_t max_entries = 1024;
  // Incomplete entries (a request out, no answer yet); a packet for yet
  // another unknown neighbour is dropped (kArpIncompleteFull). Neighbours
  // that never answer (a flood from spoofed on-link sources) thus hold at
  // most this many entries, leave the rest of the table to neighbours
  // learned from their ARP traffic, and cost at most about this many
  // requests a second (one per entry per retry_interval).
  size_t max_incomplete = 256;
  // Packets parked per unresolved neighbour; beyond it kArpPendingOverflow.
  size_t max_pending = 16;
  // Packets parked over all neighbours, beyond each one's first: past it
  // kArpParkedFull. The first packet for a new neighbour is always parked,
  // so neighbours that never answer cannot starve one that does; together
  // at most max_parked + max_incomplete mbufs wait here.
  size_t max_parked = 1024;
  // Announce our address with a gratuitous ARP on StackCore::Start.
  bool gratuitous_on_start = true;
};

class ArpResolver {
 public:
  ArpResolver(const ArpConfig& config, MacAddress our_mac, Ipv4Address our_ip,
              PacketPool& pool, TxQueue& tx, ArpCounters& counters,
              DropCounters& drops)
      : ArpResolver(config, our_mac, LocalAddresses(our_ip), pool, tx, counters,
                    drops) {}
  // Answers requests for every one of `ours`; asks from the primary.
  ArpResolver(const ArpConfig& config, MacAddress our_mac, LocalAddresses ours,
              PacketPool& pool, TxQueue& tx, ArpCounters& counters,
              DropCounters& drops);
  ArpResolver(const ArpResolver&) = delete;
  ArpResolver& operator=(const ArpResolver&) = delete;

  // An ARP frame (Ethernet header at data start, untagged). A request for
  // our address is answered by rewriting this very mbuf.
  void Input(Packet frame, Instant now);

  // Sends an IPv4 datagram (IP header at data start) to on-link `next_hop`:
  // frames it now if the address is known, else parks it and asks. False
  // when the datagram was dropped (and counted).
  bool Output(Packet datagram, Ipv4Address next_hop, Instant now);

  // Gratuitous ARP announcing our address (RFC 5227 §2.3 announcement).
  void Announce(Instant now);

  // Ages entries, retries requests, gives up. Cheap until NextDeadline().
  void Poll(Instant now);
  Instant NextDeadline() const { return next_deadline_; }

  // Introspection (tests, debugging).
  std::optional<MacAddress> Lookup(Ipv4Address ip) const;
  size_t size() const { return table_.size(); }
  size_t pending(Ipv4Address ip) const;
  size_t parked() const { return parked_; }  // over all neighbours
  // Calls f(ip, mac, resolved, parked_packets, deadline) for every entry
  // (telemetry: stack/observe/snapshot.h). `deadline`: aging out when
  // resolved, the next request or give-up otherwise.
  template <typename F>
  void ForEachEntry(F&& f) const {
    for (const auto& [ip, e] : table_) {
      f(ip, e.mac, e.resolved, e.pending.size(), e.deadline);
    }
  }

 private:
  struct Entry {
    bool resolved = false;
    MacAddress mac;
    // resolved: when the address ages out; unresolved: next request or
    // give-up time.
    Instant deadline;
    uint32_t tries = 0;
    std::vector<Packet> pending;  // reserved to max_pending once
  };

  // RFC 826 merge of <sender_ip, sender_mac>; returns true if an entry
  // existed (Merge_flag).
  bool Merge(const ArpRepr& arp, Instant now);
  void Resolve(Entry& e, MacAddress mac, Instant now);
  void SendRequest(Ipv4Address target);
  bool SendFrame(MacAddress eth_dst, const ArpRepr& arp);
  void Park(Entry& e, Packet datagram);
  // An incomplete entry is removed (given up) with its parked packets.
  void ForgetIncomplete(const Entry& e);
  void Arm(Instant deadline) {
    if (deadline < next_deadline_) next_deadline_ = deadline;
  }

  ArpConfig config_;
  MacAddress our_mac_;
  Ipv4Address our_ip_;  // the primary: the sender of our requests
  LocalAddresses ours_;
  PacketPool& pool_;
  TxQueue& tx_;
  ArpCounters& counters_;
  DropCounters& drops_;
  absl::flat_hash_map<Ipv4Address, Entry> table_;
  size_t parked_ = 0;      // packets in all entries' pending lists
  size_t incomplete_ = 0;  // entries not resolved yet
  Instant next_deadline_ = Instant::Max();
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_ARP_RESOLVER_H_
