// ICMP for IPv4 (RFC 792; RFC 1122 §3.2.2): echo, destination unreachable,
// and the datagram an error message quotes.
#ifndef SKIFF_STACK_WIRE_ICMP_H_
#define SKIFF_STACK_WIRE_ICMP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "stack/base/drop_reason.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ipv4.h"

namespace skiff {

namespace IcmpType {
constexpr uint8_t kEchoReply = 0;
constexpr uint8_t kDestUnreachable = 3;
constexpr uint8_t kSourceQuench = 4;  // deprecated (RFC 6633)
constexpr uint8_t kEchoRequest = 8;
constexpr uint8_t kTimeExceeded = 11;
constexpr uint8_t kParameterProblem = 12;
}  // namespace IcmpType

namespace IcmpUnreachCode {
constexpr uint8_t kNet = 0;
constexpr uint8_t kHost = 1;
constexpr uint8_t kProtocol = 2;
constexpr uint8_t kPort = 3;
constexpr uint8_t kFragNeeded = 4;
constexpr uint8_t kSourceRouteFailed = 5;
constexpr uint8_t kNetProhibited = 9;     // RFC 1122 §3.2.2.1
constexpr uint8_t kHostProhibited = 10;   // RFC 1122 §3.2.2.1
constexpr uint8_t kAdminProhibited = 13;  // RFC 1812 §5.2.7.1
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

// The datagram an error message (destination unreachable, time exceeded,
// parameter problem) quotes: its IPv4 header and at least the first 8 bytes
// of its data (RFC 792; RFC 1812 §4.3.2.3 lets routers quote more). The
// quoted header's total length is the original's, larger than the quote.
class IcmpQuoteView {
 public:
  // The minimum quote: a bare IPv4 header and 8 transport bytes.
  static constexpr size_t kMinLen = kIpv4MinHeaderLen + 8;

  // `quote` is IcmpView::payload(). kIcmpBadQuote unless: version 4, IHL
  // >= 5, the header plus 8 data bytes present, and not a non-first
  // fragment (which has no transport header to name a socket). The quoted
  // checksum is not verified: routers may have rewritten the header.
  static std::optional<IcmpQuoteView> Parse(ConstByteSpan quote,
                                            DropReason* why) {
    const size_t hlen =
        quote.empty() ? 0 : size_t{Load8(quote.data()) & 0x0fu} * 4;
    if (quote.size() < kMinLen || (Load8(quote.data()) >> 4) != 4 ||
        hlen < kIpv4MinHeaderLen || quote.size() < hlen + 8 ||
        (LoadBe16(quote.data() + 6) & 0x1fff) != 0) {
      *why = DropReason::kIcmpBadQuote;
      return std::nullopt;
    }
    return IcmpQuoteView(quote, hlen);
  }

  // Total length of the original datagram (from its header).
  uint16_t total_length() const { return LoadBe16(q_.data() + 2); }
  uint8_t protocol() const { return Load8(q_.data() + 9); }
  Ipv4Address src() const { return Ipv4Address::Load(q_.data() + 12); }
  Ipv4Address dst() const { return Ipv4Address::Load(q_.data() + 16); }
  size_t header_len() const { return header_len_; }
  // What the quote holds of the transport header: at least 8 bytes (ports
  // and, for TCP, the sequence number).
  ConstByteSpan transport() const { return q_.subspan(header_len_); }

 private:
  IcmpQuoteView(ConstByteSpan q, size_t header_len)
      : q_(q), header_len_(header_len) {}
  ConstByteSpan q_;
  size_t header_len_;
};

// RFC 1191 §5/§7: a router that predates path MTU discovery leaves the
// next-hop MTU zero; the host then takes the largest plateau of the table
// in §7 below the too-big datagram's length (68, the IPv4 minimum, at the
// bottom).
constexpr uint16_t Rfc1191PlateauBelow(uint16_t total_length) {
  constexpr uint16_t kPlateaus[] = {32000, 17914, 8166, 4352, 2002,
                                    1492,  1006,  508,  296};
  for (uint16_t p : kPlateaus) {
    if (p < total_length) return p;
  }
  return 68;
}

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_ICMP_H_
