#include "stack/net/ipv4_layer.h"

#include <utility>

#include "stack/net/icmp_layer.h"
#include "stack/net/link_output.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmp.h"

namespace skiff {

Ipv4Layer::Ipv4Layer(const Ipv4Config& config, Device& device, ArpResolver& arp,
                     TxQueue& tx, Ipv4Counters& counters, DropCounters& drops)
    : config_(config),
      locals_(config.address.addr, config.extra_addresses),
      our_mac_(device.mac()),
      mtu_(device.mtu()),
      tx_checksum_offload_(device.caps().tx_ipv4_checksum),
      arp_(arp),
      tx_(tx),
      counters_(counters),
      drops_(drops) {}

bool Ipv4Layer::IsBroadcast(Ipv4Address a) const {
  // /31 and /32 have no directed broadcast (RFC 3021).
  return a.IsBroadcast() || (config_.address.prefix_len < 31 &&
                             a == config_.address.directed_broadcast());
}

bool Ipv4Layer::Validate(const Ipv4View& ip, const Packet& pkt) {
  // RFC 1122 §3.2.1.2: a host MUST verify the header checksum, unless the
  // NIC already did.
  RxChecksum rx = pkt.rx_ip_checksum();
  if (rx == RxChecksum::kBad ||
      (rx == RxChecksum::kUnknown && !ip.ChecksumValid())) {
    drops_.Add(DropReason::kIpBadChecksum);
    return false;
  }
  // RFC 1122 §3.2.1.3: discard datagrams from a broadcast or multicast
  // source; they cannot name a host.
  if (IsBroadcast(ip.src()) || ip.src().IsMulticast()) {
    drops_.Add(DropReason::kIpBadSource);
    return false;
  }
  // We are a host, not a router: only our address and broadcasts.
  if (!IsLocal(ip.dst()) && !IsBroadcast(ip.dst())) {
    drops_.Add(DropReason::kIpNotForUs);
    return false;
  }
  // A TTL of 0 cannot have left the last router (RFC 791 §3.2, "Time to
  // Live"); lower TTLs are fine for a host (RFC 1122 §3.2.1.7).
  if (ip.ttl() == 0) {
    drops_.Add(DropReason::kIpTtlExpired);
    return false;
  }
  // No reassembly yet (RFC 791 §3.2): fragments are counted and dropped.
  if (ip.is_fragment()) {
    drops_.Add(DropReason::kIpFragment);
    return false;
  }
  return true;
}

void Ipv4Layer::Input(Packet pkt, bool link_broadcast, Instant now) {
  ++counters_.in_receives;
  DropReason why{};
  // A chain here is a GRO super-segment: its header is in the first segment.
  auto ip = pkt.is_contiguous()
                ? Ipv4View::Parse(pkt.data(), &why)
                : Ipv4View::ParseChainHead(pkt.data(), pkt.length(), &why);
  if (!ip) {
    drops_.Add(why);
    return;
  }
  if (!Validate(*ip, pkt)) return;
  // Strip link padding, then the header: the handler sees its own bytes.
  // Both only move the mbuf's bounds, so `ip` stays valid.
  if (pkt.length() > ip->total_length()) {
    pkt.TrimBack(static_cast<uint16_t>(pkt.length() - ip->total_length()));
  }
  pkt.TrimFront(static_cast<uint16_t>(ip->header_len()));
  if (Ipv4Handler* h = handlers_[ip->protocol()]; h != nullptr) {
    ++counters_.in_delivers;
    h->Input(*ip, std::move(pkt), now);
    return;
  }
  drops_.Add(DropReason::kIpUnknownProtocol);
  // RFC 1122 §3.2.2.1: SHOULD send protocol unreachable.
  if (icmp_ != nullptr && ErrorAllowed(*ip, link_broadcast)) {
    icmp_->SendDestUnreachable(*ip, IcmpUnreachCode::kProtocol, now);
  }
}

bool Ipv4Layer::ErrorAllowed(const Ipv4View& ip, bool link_broadcast) const {
  // RFC 1122 §3.2.2: never an ICMP error about an IP or link broadcast or
  // multicast, a non-initial fragment, or a source that is not one host.
  // (ICMP errors about ICMP errors cannot arise: ICMP is always handled.)
  return !link_broadcast && !IsBroadcast(ip.dst()) && !ip.dst().IsMulticast() &&
         ip.fragment_offset() == 0 && !ip.src().IsAny() &&
         !ip.src().IsLoopback();
}

std::optional<Ipv4Address> Ipv4Layer::NextHop(Ipv4Address dst) const {
  if (IsBroadcast(dst)) return dst;
  if (dst.IsAny() || dst.IsMulticast() || dst.IsLoopback() || IsLocal(dst)) {
    return std::nullopt;  // no loopback or multicast route
  }
  if (config_.address.Contains(dst)) return dst;  // on-link
  return config_.gateway;                         // default route, if any
}

bool Ipv4Layer::Send(Packet l4, Ipv4Address dst, uint8_t protocol, Instant now,
                     Ipv4Address src) {
  ++counters_.out_requests;
  if (!l4) {  // a transport's failed allocation
    drops_.Add(DropReason::kTxNoBuffer);
    return false;
  }
  const size_t len = l4.length() + Ipv4Repr::kLen;
  if (len > mtu_) {  // we never fragment (and always set DF on TCP)
    drops_.Add(DropReason::kIpTooBig);
    return false;
  }
  std::optional<Ipv4Address> next_hop = NextHop(dst);
  if (!next_hop) {
    drops_.Add(DropReason::kIpNoRoute);
    return false;
  }
  std::byte* h = l4.Prepend(Ipv4Repr::kLen);
  if (h == nullptr) {
    drops_.Add(DropReason::kTxNoBuffer);
    return false;
  }
  Ipv4Repr repr{.src = src.IsAny() ? address() : src,
                .dst = dst,
                .protocol = protocol,
                .ttl = config_.ttl,
                .id = next_id_++,
                // DF on TCP: path MTU discovery (RFC 1191) over fragments.
                .dont_fragment = protocol == IpProtocol::kTcp,
                .payload_len = static_cast<uint16_t>(len - Ipv4Repr::kLen)};
  repr.Emit(h, !tx_checksum_offload_);
  if (tx_checksum_offload_ || l4.wants_tx_tcp_checksum()) {
    l4.SetTxOffload({.ipv4_checksum = tx_checksum_offload_,
                     .tcp_checksum = l4.wants_tx_tcp_checksum(),
                     .l2_len = EthernetRepr::kLen,
                     .l3_len = Ipv4Repr::kLen});
  }
  ++counters_.out_packets;
  if (IsBroadcast(dst)) {
    if (!PrependEthernet(l4, MacAddress::Broadcast(), our_mac_,
                         EtherType::kIpv4)) {
      drops_.Add(DropReason::kTxNoBuffer);
      return false;
    }
    tx_.Push(std::move(l4));
    return true;
  }
  return arp_.Output(std::move(l4), *next_hop, now);
}

}  // namespace skiff
