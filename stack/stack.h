// Stack: one per lcore. Owns every layer (tx queue, ARP, IPv4, ICMP; TCP
// next) and runs DESIGN.md's loop, one turn per Poll(now). Shared-nothing:
// nothing here is thread-safe, nothing needs to be.
#ifndef SKIFF_STACK_STACK_H_
#define SKIFF_STACK_STACK_H_

#include <array>
#include <cstdint>
#include <string>

#include "drivers/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/counters.h"
#include "stack/net/arp_resolver.h"
#include "stack/net/icmp_layer.h"
#include "stack/net/ipv4_handler.h"
#include "stack/net/ipv4_layer.h"
#include "stack/net/tx_queue.h"
#include "stack/stack_config.h"
#include "stack/wire/addr.h"

namespace skiff {

class Stack {
 public:
  static constexpr size_t kRxBurst = 32;

  Stack(Device& device, const StackConfig& config);
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Announces our address (gratuitous ARP, if configured) and flushes.
  void Start(Instant now);
  // One turn of the loop: rx burst, input, timers, tx flush.
  void Poll(Instant now);
  // The earliest timer; Instant::Max() when none is armed.
  Instant NextDeadline() const;

  // --- The transport seam ---
  // Sends `l4` (transport header + payload at data start) to `dst`: prepends
  // IPv4, routes, resolves the next hop via ARP (or parks the packet),
  // prepends Ethernet, queues it for this turn's flush. False when the
  // packet was dropped (counted). Set Packet::SetTxOffload(tcp_checksum)
  // beforehand to have the NIC fill the TCP checksum; IPv4 fills the rest.
  bool SendIpv4(Packet l4, Ipv4Address dst, uint8_t protocol, Instant now);
  // Delivers datagrams of `protocol` to `handler` (not owned; nullptr to
  // remove). ICMP (1) is built in and cannot be replaced. Until a handler
  // is registered, a protocol gets ICMP protocol unreachable.
  void RegisterHandler(uint8_t protocol, Ipv4Handler* handler);

  const StackCounters& counters() const { return counters_; }
  // "name value" lines, nstat-like, nonzero only.
  std::string FormatCounters() const;

  Device& device() { return device_; }
  PacketPool& pool() { return device_.pool(); }
  const StackConfig& config() const { return config_; }
  Ipv4Address address() const { return config_.address.addr; }
  uint16_t mtu() const { return device_.mtu(); }
  DeviceCaps caps() const { return caps_; }
  // Read-only access for tests and tools.
  const ArpResolver& arp() const { return arp_; }

 private:
  void Input(Packet frame, Instant now);

  Device& device_;
  StackConfig config_;
  DeviceCaps caps_;
  StackCounters counters_;
  TxQueue tx_;
  ArpResolver arp_;
  Ipv4Layer ipv4_;
  IcmpLayer icmp_;
  std::array<Packet, kRxBurst> rx_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_STACK_H_
