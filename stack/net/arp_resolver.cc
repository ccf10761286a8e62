#include "stack/net/arp_resolver.h"

#include <utility>

#include "stack/net/link_output.h"
#include "stack/wire/ethernet.h"

namespace skiff {
namespace {

constexpr uint16_t kArpFrameLen = EthernetRepr::kLen + ArpRepr::kLen;

}  // namespace

ArpResolver::ArpResolver(const ArpConfig& config, MacAddress our_mac,
                         LocalAddresses ours, PacketPool& pool, TxQueue& tx,
                         ArpCounters& counters, DropCounters& drops)
    : config_(config),
      our_mac_(our_mac),
      our_ip_(ours.primary()),
      ours_(std::move(ours)),
      pool_(pool),
      tx_(tx),
      counters_(counters),
      drops_(drops) {
  table_.reserve(config_.max_entries);
}

void ArpResolver::Input(Packet frame, Instant now) {
  DropReason why{};
  auto arp = ArpRepr::Parse(frame.data().subspan(EthernetRepr::kLen), &why);
  if (!arp) {
    drops_.Add(why);
    return;
  }
  if (arp->op == ArpOp::kRequest) {
    ++counters_.requests_in;
  } else {
    ++counters_.replies_in;
  }
  // A sender must be a unicast station with a plausible protocol address;
  // learning anything else would poison the cache.
  if (arp->sender_mac.IsMulticast() || arp->sender_mac.IsZero() ||
      arp->sender_ip.IsBroadcast() || arp->sender_ip.IsMulticast() ||
      arp->sender_ip.IsLoopback()) {
    drops_.Add(DropReason::kArpMalformed);
    return;
  }
  // Someone else using our address (or our own frame looped back): never
  // learn it; conflict handling (RFC 5227) is out of scope.
  if (ours_.Contains(arp->sender_ip)) {
    drops_.Add(DropReason::kArpNotForUs);
    return;
  }
  // RFC 826 "Packet Reception". A probe (sender 0.0.0.0, RFC 5227 §2.1.1)
  // teaches nothing but is still answered.
  const bool probe = arp->sender_ip.IsAny();
  const bool merged = !probe && Merge(*arp, now);
  if (!ours_.Contains(arp->target_ip)) {
    if (!merged) drops_.Add(DropReason::kArpNotForUs);
    return;
  }
  if (!merged && !probe) {
    if (table_.size() < config_.max_entries) {
      Entry& e = table_[arp->sender_ip];
      Resolve(e, arp->sender_mac, now);
      ++counters_.learned;
    } else if (arp->op == ArpOp::kReply) {
      drops_.Add(DropReason::kArpTableFull);
      return;
    }
  }
  if (arp->op != ArpOp::kRequest) return;
  // "Swap fields, put the local addresses in the sender fields, set the
  // opcode to reply, send the packet to the requester": in this very mbuf.
  if (frame.length() > kArpFrameLen)
    frame.TrimBack(frame.length() - kArpFrameLen);
  std::byte* p = frame.data().data();
  EthernetRepr{arp->sender_mac, our_mac_, EtherType::kArp}.Emit(p);
  // The address asked for answers: the primary or an extra one.
  ArpRepr{ArpOp::kReply, our_mac_, arp->target_ip, arp->sender_mac,
          arp->sender_ip}
      .Emit(p + EthernetRepr::kLen);
  tx_.Push(std::move(frame));
  ++counters_.replies_out;
}

bool ArpResolver::Merge(const ArpRepr& arp, Instant now) {
  auto it = table_.find(arp.sender_ip);
  if (it == table_.end()) return false;
  Entry& e = it->second;
  if (!e.resolved) {
    ++counters_.resolved;
    counters_.incomplete = --incomplete_;
  }
  Resolve(e, arp.sender_mac, now);
  ++counters_.updated;
  return true;
}

void ArpResolver::Resolve(Entry& e, MacAddress mac, Instant now) {
  e.resolved = true;
  e.mac = mac;
  e.tries = 0;
  e.deadline = now + config_.reachable_time;
  Arm(e.deadline);
  for (Packet& p : e.pending) {
    if (PrependEthernet(p, mac, our_mac_, EtherType::kIpv4)) {
      tx_.Push(std::move(p));
    } else {
      p.Reset();
      drops_.Add(DropReason::kTxNoBuffer);
    }
  }
  parked_ -= e.pending.size();
  e.pending.clear();
}

void ArpResolver::Park(Entry& e, Packet datagram) {
  e.pending.push_back(std::move(datagram));
  ++parked_;
  ++counters_.parked;
}

void ArpResolver::ForgetIncomplete(const Entry& e) {
  ++counters_.gave_up;
  counters_.incomplete = --incomplete_;
  drops_.Add(DropReason::kArpTimeout, e.pending.size());
  parked_ -= e.pending.size();
}

bool ArpResolver::Output(Packet datagram, Ipv4Address next_hop, Instant now) {
  auto it = table_.find(next_hop);
  if (it != table_.end() && it->second.resolved) {
    if (!PrependEthernet(datagram, it->second.mac, our_mac_,
                         EtherType::kIpv4)) {
      drops_.Add(DropReason::kTxNoBuffer);
      return false;
    }
    tx_.Push(std::move(datagram));
    return true;
  }
  if (it == table_.end()) {
    if (table_.size() >= config_.max_entries) {
      drops_.Add(DropReason::kArpTableFull);
      return false;
    }
    if (incomplete_ >= config_.max_incomplete) {
      drops_.Add(DropReason::kArpIncompleteFull);
      return false;
    }
    Entry& e = table_[next_hop];
    counters_.incomplete = ++incomplete_;
    e.pending.reserve(config_.max_pending);
    Park(e, std::move(datagram));  // the first one always: no starvation
    // The first request goes at once; later ones only from Poll, one
    // retry_interval apart (RFC 1122 §2.3.2.1 rate limit).
    SendRequest(next_hop);
    e.tries = 1;
    e.deadline = now + config_.retry_interval;
    Arm(e.deadline);
    return true;
  }
  Entry& e = it->second;
  if (e.pending.size() >= config_.max_pending) {
    drops_.Add(DropReason::kArpPendingOverflow);
    return false;
  }
  // Every incomplete entry holds its first packet: the bound is on the rest.
  if (parked_ - incomplete_ >= config_.max_parked) {
    drops_.Add(DropReason::kArpParkedFull);
    return false;
  }
  Park(e, std::move(datagram));
  return true;
}

void ArpResolver::Poll(Instant now) {
  if (now < next_deadline_) return;
  next_deadline_ = Instant::Max();
  for (auto it = table_.begin(); it != table_.end();) {
    Entry& e = it->second;
    if (now < e.deadline) {
      Arm(e.deadline);
      ++it;
    } else if (e.resolved) {
      // Aged out: the next packet for it asks again (RFC 1122 §2.3.2.1).
      ++counters_.expired;
      table_.erase(it++);
    } else if (e.tries >= config_.max_tries) {
      ForgetIncomplete(e);
      table_.erase(it++);  // frees the parked packets
    } else {
      SendRequest(it->first);
      ++e.tries;
      e.deadline = now + config_.retry_interval;
      Arm(e.deadline);
      ++it;
    }
  }
}

void ArpResolver::Announce(Instant /*now*/) {
  if (SendFrame(MacAddress::Broadcast(),
                {ArpOp::kRequest, our_mac_, our_ip_, MacAddress(), our_ip_})) {
    ++counters_.gratuitous_out;
  }
}

void ArpResolver::SendRequest(Ipv4Address target) {
  if (SendFrame(MacAddress::Broadcast(),
                {ArpOp::kRequest, our_mac_, our_ip_, MacAddress(), target})) {
    ++counters_.requests_out;
  }
}

bool ArpResolver::SendFrame(MacAddress eth_dst, const ArpRepr& arp) {
  Packet p = pool_.Alloc();
  std::byte* b = p ? p.Append(kArpFrameLen) : nullptr;
  if (b == nullptr) {
    drops_.Add(DropReason::kTxNoBuffer);
    return false;
  }
  EthernetRepr{eth_dst, our_mac_, EtherType::kArp}.Emit(b);
  arp.Emit(b + EthernetRepr::kLen);
  tx_.Push(std::move(p));
  return true;
}

std::optional<MacAddress> ArpResolver::Lookup(Ipv4Address ip) const {
  auto it = table_.find(ip);
  if (it == table_.end() || !it->second.resolved) return std::nullopt;
  return it->second.mac;
}

size_t ArpResolver::pending(Ipv4Address ip) const {
  auto it = table_.find(ip);
  return it == table_.end() ? 0 : it->second.pending.size();
}

}  // namespace skiff
