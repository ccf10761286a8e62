// Configuration of one StackCore: plain structs, one documented knob per field
// with its default beside it (STYLE.md §6).
#ifndef SKIFF_STACK_STACK_CONFIG_H_
#define SKIFF_STACK_STACK_CONFIG_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "stack/net/arp_resolver.h"
#include "stack/net/icmp_layer.h"
#include "stack/sockets/tcp_layer.h"
#include "stack/wire/addr.h"

namespace skiff {

struct StackConfig {
  Ipv4Cidr address;  // our IP and on-link prefix
  // More local addresses in the same subnet, answered by ARP, accepted by
  // IPv4 and usable as a TCP source (StackCore::Connect with a source): a load
  // generator's source range. The primary address stays the default.
  std::vector<Ipv4Address> extra_addresses;
  std::optional<Ipv4Address> gateway;  // default route; none: on-link only
  uint8_t ttl = 64;                    // TTL of datagrams we send
  ArpConfig arp;                       // see stack/net/arp_resolver.h
  IcmpConfig icmp;                     // see stack/net/icmp_layer.h
  TcpLayerConfig tcp;                  // see stack/sockets/tcp_layer.h
  // Receive GRO (DPDK rte_gro, stack/net/gro_stage.h): each rx burst's
  // in-order pure-ACK TCP frames of a flow are chained into one
  // super-segment, so TCP input runs once per chain. On by default, as
  // Config::gro.
  bool gro = true;
};

}  // namespace skiff

#endif  // SKIFF_STACK_STACK_CONFIG_H_
