// ARP for Ethernet/IPv4 (RFC 826), the only combination we speak.
#ifndef SKIFF_STACK_WIRE_ARP_H_
#define SKIFF_STACK_WIRE_ARP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "stack/base/drop_reason.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"

namespace skiff {

enum class ArpOp : uint16_t { kRequest = 1, kReply = 2 };

namespace arp_internal {
constexpr uint16_t kHtypeEthernet = 1;
constexpr uint16_t kPtypeIpv4 = 0x0800;
constexpr uint8_t kHlenEthernet = 6;
constexpr uint8_t kPlenIpv4 = 4;
}  // namespace arp_internal

struct ArpRepr {
  ArpOp op = ArpOp::kRequest;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
  static constexpr size_t kLen = 28;

  // kArpMalformed: shorter than 28 bytes, or an op other than request/reply.
  // kArpUnsupported: not Ethernet (htype 1, hlen 6) / IPv4 (ptype 0x0800,
  // plen 4). Trailing bytes (link padding) are ignored.
  static std::optional<ArpRepr> Parse(ConstByteSpan b, DropReason* why) {
    using namespace arp_internal;
    if (b.size() < kLen) {
      *why = DropReason::kArpMalformed;
      return std::nullopt;
    }
    const std::byte* p = b.data();
    if (LoadBe16(p) != kHtypeEthernet || LoadBe16(p + 2) != kPtypeIpv4 ||
        Load8(p + 4) != kHlenEthernet || Load8(p + 5) != kPlenIpv4) {
      *why = DropReason::kArpUnsupported;
      return std::nullopt;
    }
    uint16_t op = LoadBe16(p + 6);
    if (op != static_cast<uint16_t>(ArpOp::kRequest) &&
        op != static_cast<uint16_t>(ArpOp::kReply)) {
      *why = DropReason::kArpMalformed;
      return std::nullopt;
    }
    return ArpRepr{static_cast<ArpOp>(op), MacAddress::Load(p + 8),
                   Ipv4Address::Load(p + 14), MacAddress::Load(p + 18),
                   Ipv4Address::Load(p + 24)};
  }
  void Emit(std::byte* p) const;  // writes 28 bytes
  friend bool operator==(const ArpRepr&, const ArpRepr&) = default;
};

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_ARP_H_
