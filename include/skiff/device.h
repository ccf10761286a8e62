// Device: what the stack needs from a network port. Implemented by
// drivers/dpdk (any PMD, see skiff/dpdk.h) and drivers/sim (in-process
// wires for tests). Packet and PacketPool own DPDK mbufs: they are only
// declared here, so that this header (and skiff/stack.h) compile without
// DPDK; a driver includes their definitions from inside the library.
#ifndef SKIFF_DEVICE_H_
#define SKIFF_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "skiff/addr.h"

namespace skiff {

class Packet;      // one rte_mbuf, move-only (library-internal)
class PacketPool;  // an rte_mempool of them (library-internal)

/// Offloads the port offers; the stack computes in software what is missing.
struct DeviceCaps {
  bool rx_ipv4_checksum = false;  // verifies IPv4 header checksums on rx
  bool rx_tcp_checksum = false;   // verifies TCP checksums on rx
  bool tx_ipv4_checksum = false;  // fills IPv4 header checksums on tx
  bool tx_tcp_checksum = false;   // fills TCP checksums on tx
};

/// A network port: bursts of frames in and out, and what the port offers.
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
