// Device: what the stack needs from a network port. Implemented by
// drivers/dpdk (any PMD) and drivers/sim (in-process wires for tests).
#ifndef SKIFF_DEVICE_H_
#define SKIFF_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/wire/addr.h"

namespace skiff {

// Offloads the port offers; the stack computes in software what is missing.
struct DeviceCaps {
  bool rx_ipv4_checksum = false;  // verifies IPv4 header checksums on rx
  bool rx_tcp_checksum = false;   // verifies TCP checksums on rx
  bool tx_ipv4_checksum = false;  // fills IPv4 header checksums on tx
  bool tx_tcp_checksum = false;   // fills TCP checksums on tx
};

class Device {
 public:
  virtual ~Device() = default;

  // Receives up to out.size() packets into out[0..n); returns n.
  virtual size_t RxBurst(std::span<Packet> out) = 0;
  // Hands pkts[0..n) to the device and returns n; those are left empty
  // (moved-from). The caller still owns pkts[n..), to retry or drop.
  virtual size_t TxBurst(std::span<Packet> pkts) = 0;

  virtual MacAddress mac() const = 0;
  // IP MTU: the largest L3 packet the port carries (1500 on Ethernet).
  virtual uint16_t mtu() const = 0;
  virtual DeviceCaps caps() const = 0;
  // Where transmit packets come from.
  virtual PacketPool& pool() = 0;
};

}  // namespace skiff

#endif  // SKIFF_DEVICE_H_
