// Ethernet II frames (IEEE 802.3 §3.2.6 with EtherType), with one 802.1Q /
// 802.1ad tag recognised. A checked view over the frame bytes plus a small
// value repr to emit an untagged header.
#ifndef SKIFF_STACK_WIRE_ETHERNET_H_
#define SKIFF_STACK_WIRE_ETHERNET_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "stack/base/drop_reason.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"

namespace skiff {

inline constexpr size_t kEthernetHeaderLen = 14;
inline constexpr size_t kVlanTagLen = 4;

namespace EtherType {
constexpr uint16_t kIpv4 = 0x0800;
constexpr uint16_t kArp = 0x0806;
constexpr uint16_t kVlan = 0x8100;  // IEEE 802.1Q C-tag
constexpr uint16_t kQinQ = 0x88a8;  // IEEE 802.1ad S-tag
constexpr uint16_t kIpv6 = 0x86dd;
constexpr bool IsVlanTag(uint16_t t) { return t == kVlan || t == kQinQ; }
}  // namespace EtherType

class EthernetView {
 public:
  // Fails with kEthTooShort when the frame cannot hold the 14-byte header, or
  // the 4-byte tag it announces. Parses through one tag: for a stacked (QinQ)
  // frame, ethertype() is the second tag's TPID and is_qinq() is true, so the
  // demux can drop it as kEthVlan.
  static std::optional<EthernetView> Parse(ConstByteSpan frame,
                                           DropReason* why) {
    if (frame.size() < kEthernetHeaderLen) {
      *why = DropReason::kEthTooShort;
      return std::nullopt;
    }
    uint16_t type = LoadBe16(frame.data() + 12);
    if (!EtherType::IsVlanTag(type)) {
      return EthernetView(frame, kEthernetHeaderLen, type);
    }
    if (frame.size() < kEthernetHeaderLen + kVlanTagLen) {
      *why = DropReason::kEthTooShort;
      return std::nullopt;
    }
    return EthernetView(frame, kEthernetHeaderLen + kVlanTagLen,
                        LoadBe16(frame.data() + 16));
  }

  MacAddress dst() const { return MacAddress::Load(frame_.data()); }
  MacAddress src() const { return MacAddress::Load(frame_.data() + 6); }
  // The payload's EtherType: after the tag when has_vlan().
  uint16_t ethertype() const { return ethertype_; }
  bool has_vlan() const { return header_len_ != kEthernetHeaderLen; }
  // A second tag follows the first (802.1ad S-tag + C-tag, or two C-tags).
  bool is_qinq() const {
    return has_vlan() && EtherType::IsVlanTag(ethertype_);
  }
  // The outer tag's TPID (0x8100 or 0x88a8); 0 when untagged.
  uint16_t vlan_tpid() const {
    return has_vlan() ? LoadBe16(frame_.data() + 12) : 0;
  }
  // Tag control information: PCP(3) DEI(1) VID(12). 0 when untagged.
  uint16_t vlan_tci() const {
    return has_vlan() ? LoadBe16(frame_.data() + 14) : 0;
  }
  uint16_t vlan_id() const { return vlan_tci() & 0x0fff; }
  size_t header_len() const { return header_len_; }
  ConstByteSpan frame() const { return frame_; }
  ConstByteSpan payload() const { return frame_.subspan(header_len_); }

 private:
  EthernetView(ConstByteSpan frame, size_t header_len, uint16_t ethertype)
      : frame_(frame),
        header_len_(static_cast<uint8_t>(header_len)),
        ethertype_(ethertype) {}

  ConstByteSpan frame_;
  uint8_t header_len_;
  uint16_t ethertype_;
};

// An untagged Ethernet II header. We never emit VLAN tags.
struct EthernetRepr {
  MacAddress dst, src;
  uint16_t ethertype = 0;
  static constexpr size_t kLen = kEthernetHeaderLen;

  // The addresses and payload EtherType of a parsed frame (the tag, if any,
  // is not represented).
  static EthernetRepr FromView(const EthernetView& v) {
    return {v.dst(), v.src(), v.ethertype()};
  }
  void Emit(std::byte* p) const;  // writes 14 bytes
  friend bool operator==(const EthernetRepr&, const EthernetRepr&) = default;
};

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_ETHERNET_H_
