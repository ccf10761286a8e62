// Packet: the move-only owner of one rte_mbuf. The only place, with drivers/,
// that touches rte_mbuf directly (DESIGN.md, rules of the house).
#ifndef SKIFF_STACK_BUF_PACKET_H_
#define SKIFF_STACK_BUF_PACKET_H_

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace skiff {

// Checksum work the device may do for us on transmit (DPDK tx offloads).
struct TxOffload {
  bool ipv4_checksum = false;  // fill the IPv4 header checksum
  bool tcp_checksum = false;   // fill the TCP checksum (pseudo-header seeded)
  uint8_t l2_len = 0;
  uint8_t l3_len = 0;
};

// What the device already verified on receive.
enum class RxChecksum : uint8_t { kUnknown, kGood, kBad };

class Packet {
 public:
  Packet() = default;
  explicit Packet(rte_mbuf* m) : m_(m) {}
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
  Packet(Packet&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  Packet& operator=(Packet&& o) noexcept {
    if (this != &o) {
      Reset();
      m_ = std::exchange(o.m_, nullptr);
    }
    return *this;
  }
  ~Packet() { Reset(); }

  explicit operator bool() const { return m_ != nullptr; }
  bool empty() const { return m_ == nullptr; }

  // Frees the mbuf (chain) now.
  void Reset() {
    if (m_ != nullptr) rte_pktmbuf_free(std::exchange(m_, nullptr));
  }
  // Gives up ownership: the caller now owns the mbuf.
  rte_mbuf* Release() { return std::exchange(m_, nullptr); }
  rte_mbuf* mbuf() const { return m_; }

  // The first segment's bytes: the whole packet unless it is a chain. The
  // receive path takes chains only from GRO (headers in the first segment,
  // stack/net/gro_stage.h) and drops others (DropReason::kRxMultiSegment).
  std::span<std::byte> data() const {
    return {rte_pktmbuf_mtod(m_, std::byte*), m_->data_len};
  }
  uint32_t length() const { return m_->pkt_len; }
  bool is_contiguous() const { return m_->nb_segs == 1; }
  uint16_t headroom() const { return rte_pktmbuf_headroom(m_); }
  uint16_t tailroom() const { return rte_pktmbuf_tailroom(m_); }

  // Grows the front by n bytes (for a lower layer's header); nullptr when the
  // headroom is too small.
  std::byte* Prepend(uint16_t n) {
    return reinterpret_cast<std::byte*>(rte_pktmbuf_prepend(m_, n));
  }
  // Grows the back by n bytes; nullptr when the tailroom is too small.
  std::byte* Append(uint16_t n) {
    return reinterpret_cast<std::byte*>(rte_pktmbuf_append(m_, n));
  }
  // Removes n bytes from the front (a parsed header); false if too short.
  bool TrimFront(uint16_t n) { return rte_pktmbuf_adj(m_, n) != nullptr; }
  // Removes n bytes from the back (link padding); false if too short.
  bool TrimBack(uint16_t n) { return rte_pktmbuf_trim(m_, n) == 0; }

  void SetTxOffload(const TxOffload& o) {
    m_->l2_len = o.l2_len;
    m_->l3_len = o.l3_len;
    uint64_t f = 0;
    if (o.ipv4_checksum || o.tcp_checksum) f |= RTE_MBUF_F_TX_IPV4;
    if (o.ipv4_checksum) f |= RTE_MBUF_F_TX_IP_CKSUM;
    if (o.tcp_checksum) f |= RTE_MBUF_F_TX_TCP_CKSUM;
    m_->ol_flags = (m_->ol_flags & ~RTE_MBUF_F_TX_OFFLOAD_MASK) | f;
  }
  bool wants_tx_ipv4_checksum() const {
    return (m_->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) != 0;
  }
  bool wants_tx_tcp_checksum() const {
    return (m_->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM;
  }
  RxChecksum rx_ip_checksum() const {
    switch (m_->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
      case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
        return RxChecksum::kGood;
      case RTE_MBUF_F_RX_IP_CKSUM_BAD:
        return RxChecksum::kBad;
      default:
        return RxChecksum::kUnknown;
    }
  }
  RxChecksum rx_l4_checksum() const {
    switch (m_->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
      case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
        return RxChecksum::kGood;
      case RTE_MBUF_F_RX_L4_CKSUM_BAD:
        return RxChecksum::kBad;
      default:
        return RxChecksum::kUnknown;
    }
  }

 private:
  rte_mbuf* m_ = nullptr;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BUF_PACKET_H_
