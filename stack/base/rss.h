// RssSteering: how a multi-queue port spreads flows over its receive queues
// (Microsoft RSS; DPDK RTE_ETH_MQ_RX_RSS): the Toeplitz hash of the
// packet's 4-tuple, its low bits index the redirection table (RETA), the
// entry names the queue. One value, shared read-only by everything that must
// agree with the port: the port's own configuration (drivers/dpdk), the
// in-process multi-queue wire (drivers/sim), software dispatch
// (drivers/dispatch) and the choice of source ports for active opens
// (stack/base/rss_ports.h). Pure C++, no DPDK: the stack predicts queues
// without calling rte_*.
#ifndef SKIFF_STACK_BASE_RSS_H_
#define SKIFF_STACK_BASE_RSS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "stack/base/toeplitz.h"

namespace skiff {

struct RssConfig {
  // Symmetric by default: both directions of a flow hash alike, so a
  // connection's segments and its replies meet on one queue.
  ToeplitzHash::Key key = ToeplitzHash::kSymmetricKey;
  uint16_t queues = 1;  // receive queues = lcores, one StackCore each
  // RETA entries, a power of two (rounded up otherwise); 128 is what
  // ixgbe/virtio/af_xdp ports expose, i40e/ice have 512. The table starts
  // round-robin: entry i -> queue i % queues.
  uint16_t reta_size = 128;
};

class RssSteering {
 public:
  explicit RssSteering(const RssConfig& config);

  // Replaces the RETA (size a power of two, every entry < queues()); false
  // and unchanged otherwise.
  bool SetReta(std::span<const uint16_t> reta);

  // The queue a packet with this hash lands on: RETA[hash LSBs].
  uint16_t QueueOf(uint32_t hash) const { return reta_[hash & mask_]; }
  // The queue of a TCP/UDP over IPv4 packet as received (src = sender);
  // addresses and ports in host byte order.
  uint16_t QueueOfIpv4L4(uint32_t src, uint32_t dst, uint16_t src_port,
                         uint16_t dst_port) const {
    return QueueOf(hash_.Ipv4L4(src, dst, src_port, dst_port));
  }

  const ToeplitzHash& hash() const { return hash_; }
  uint16_t queues() const { return queues_; }
  std::span<const uint16_t> reta() const { return reta_; }
  uint32_t reta_mask() const { return mask_; }

 private:
  ToeplitzHash hash_;
  uint16_t queues_;
  std::vector<uint16_t> reta_;
  uint32_t mask_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_RSS_H_
