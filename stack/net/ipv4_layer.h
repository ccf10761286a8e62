// IPv4 input (RFC 791; RFC 1122 §3.2.1: validate, accept only what is ours,
// deliver by protocol) and output (route on-link or via the gateway, emit
// the header, resolve the next hop through ARP).
#ifndef SKIFF_STACK_NET_IPV4_LAYER_H_
#define SKIFF_STACK_NET_IPV4_LAYER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/net/arp_resolver.h"
#include "stack/net/ip_sender.h"
#include "stack/net/ipv4_handler.h"
#include "stack/net/local_addresses.h"
#include "stack/net/net_counters.h"
#include "stack/net/tx_queue.h"
#include "stack/wire/addr.h"
#include "stack/wire/ipv4.h"

namespace skiff {

class IcmpLayer;

struct Ipv4Config {
  Ipv4Cidr address;                    // our address and on-link prefix
  std::optional<Ipv4Address> gateway;  // default route; none: on-link only
  uint8_t ttl = 64;                    // RFC 1700 / RFC 1122 §3.2.1.7 default
  std::vector<Ipv4Address> extra_addresses;  // also ours (local_addresses.h)
};

// The IpSender of the transports above (TCP's segment writer): what they
// send goes straight down here, not back up through the stack.
class Ipv4Layer final : public IpSender {
 public:
  Ipv4Layer(const Ipv4Config& config, Device& device, ArpResolver& arp,
            TxQueue& tx, Ipv4Counters& counters, DropCounters& drops);
  Ipv4Layer(const Ipv4Layer&) = delete;
  Ipv4Layer& operator=(const Ipv4Layer&) = delete;

  // Where protocol-unreachable errors go (the ICMP layer).
  void set_icmp(IcmpLayer* icmp) { icmp_ = icmp; }
  // Delivers `protocol` datagrams to `handler` (nullptr: none). Without a
  // handler a protocol is answered with ICMP protocol unreachable.
  void Register(uint8_t protocol, Ipv4Handler* handler) {
    handlers_[protocol] = handler;
  }
  // The handler registered for `protocol`, or nullptr.
  Ipv4Handler* handler(uint8_t protocol) const { return handlers_[protocol]; }

  // A datagram with its IPv4 header at data start (Ethernet header gone);
  // link_broadcast when the frame went to ff:ff:ff:ff:ff:ff.
  void Input(Packet pkt, bool link_broadcast, Instant now);

  // Sends `l4` (transport header + payload at data start) to `dst`: prepends
  // IPv4, routes, hands it to ARP (or broadcasts it). False when dropped,
  // counted by reason (kIpTooBig, kIpNoRoute, kTxNoBuffer, ARP's reasons).
  // `src` is one of our addresses; any (the default) means the primary.
  bool Send(Packet l4, Ipv4Address dst, uint8_t protocol, Instant now,
            Ipv4Address src = Ipv4Address());

  // IpSender.
  bool SendIpv4(Packet l4, Ipv4Address dst, uint8_t protocol,
                Instant now) override {
    return Send(std::move(l4), dst, protocol, now);
  }
  bool SendIpv4From(Ipv4Address src, Packet l4, Ipv4Address dst,
                    uint8_t protocol, Instant now) override {
    return Send(std::move(l4), dst, protocol, now, src);
  }
  bool HasRoute(Ipv4Address dst) const override {
    return NextHop(dst).has_value();
  }

  // The on-link next hop for `dst`, or nullopt (no route). Broadcasts
  // return themselves.
  std::optional<Ipv4Address> NextHop(Ipv4Address dst) const;

  Ipv4Address address() const { return config_.address.addr; }
  // Whether `a` is one of our addresses (the primary or an extra one).
  bool IsLocal(Ipv4Address a) const { return locals_.Contains(a); }
  bool IsBroadcast(Ipv4Address a) const;
  uint16_t mtu() const { return mtu_; }

 private:
  bool Validate(const Ipv4View& ip, const Packet& pkt);
  bool ErrorAllowed(const Ipv4View& ip, bool link_broadcast) const;

  Ipv4Config config_;
  LocalAddresses locals_;
  MacAddress our_mac_;
  uint16_t mtu_;
  bool tx_checksum_offload_;
  ArpResolver& arp_;
  TxQueue& tx_;
  Ipv4Counters& counters_;
  DropCounters& drops_;
  IcmpLayer* icmp_ = nullptr;
  uint16_t next_id_ = 1;
  std::array<Ipv4Handler*, 256> handlers_{};
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_IPV4_LAYER_H_
