// ICMP for IPv4 (RFC 792; RFC 1122 §3.2.2): echo and destination unreachable.
#ifndef SKIFF_STACK_WIRE_ICMP_H_
#define SKIFF_STACK_WIRE_ICMP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "stack/base/drop_reason.h"
#include "stack/wire/bytes.h"
#include "stack/wire/checksum.h"

namespace skiff {

namespace IcmpType {
constexpr uint8_t kEchoReply = 0;
constexpr uint8_t kDestUnreachable = 3;
constexpr uint8_t kEchoRequest = 8;
constexpr uint8_t kTimeExceeded = 11;
}  // namespace IcmpType

namespace IcmpUnreachCode {
constexpr uint8_t kNet = 0;
constexpr uint8_t kHost = 1;
constexpr uint8_t kProtocol = 2;
constexpr uint8_t kPort = 3;
constexpr uint8_t kFragNeeded = 4;
}  // namespace IcmpUnreachCode

inline constexpr size_t kIcmpHeaderLen = 8;

class IcmpView {
 public:
  // Every ICMP message has the 8-byte header (kIcmpMalformed if shorter).
  // `msg` should be the IPv4 payload, which is already bounded by
  // total_length. Does not verify the checksum.
  static std::optional<IcmpView> Parse(ConstByteSpan msg, DropReason* why) {
    if (msg.size() < kIcmpHeaderLen) {
      *why = DropReason::kIcmpMalformed;
      return std::nullopt;
    }
    return IcmpView(msg);
  }

  // The whole message sums to zero (RFC 792, "Checksum").
  bool ChecksumValid() const { return InternetChecksum(msg_) == 0; }

  uint8_t type() const { return Load8(msg_.data()); }
  uint8_t code() const { return Load8(msg_.data() + 1); }
  uint16_t checksum() const { return LoadBe16(msg_.data() + 2); }
  // Echo request/reply (RFC 792 p.14).
  uint16_t echo_ident() const { return LoadBe16(msg_.data() + 4); }
  uint16_t echo_seq() const { return LoadBe16(msg_.data() + 6); }
  // Fragmentation needed (type 3 code 4): next-hop MTU (RFC 1191 §4).
  uint16_t next_hop_mtu() const { return LoadBe16(msg_.data() + 6); }
  // After the 8-byte header: echo data, or the original datagram's header
  // and leading bytes for error messages.
  ConstByteSpan payload() const { return msg_.subspan(kIcmpHeaderLen); }
  ConstByteSpan message() const { return msg_; }

 private:
  explicit IcmpView(ConstByteSpan msg) : msg_(msg) {}
  ConstByteSpan msg_;
};

// Echo request or reply. The payload is borrowed, not owned.
struct IcmpEchoRepr {
  uint8_t type = IcmpType::kEchoRequest;
  uint16_t ident = 0;
  uint16_t seq = 0;
  ConstByteSpan payload;

  static IcmpEchoRepr FromView(const IcmpView& v) {
    return {v.type(), v.echo_ident(), v.echo_seq(), v.payload()};
  }
  size_t len() const { return kIcmpHeaderLen + payload.size(); }
  void Emit(std::byte* p) const;  // header + payload copy + checksum
};

// Destination unreachable (RFC 792 p.4): the original IP header plus the
// first 8 bytes of its data, which the caller passes in `original`.
struct IcmpUnreachableRepr {
  uint8_t code = IcmpUnreachCode::kPort;
  ConstByteSpan original;
  uint16_t next_hop_mtu = 0;  // only for kFragNeeded (RFC 1191 §4)

  size_t len() const { return kIcmpHeaderLen + original.size(); }
  void Emit(std::byte* p) const;  // header + original copy + checksum
};

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_ICMP_H_
