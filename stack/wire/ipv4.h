// IPv4 headers (RFC 791 §3.1; host requirements RFC 1122 §3.2.1).
#ifndef SKIFF_STACK_WIRE_IPV4_H_
#define SKIFF_STACK_WIRE_IPV4_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "stack/base/drop_reason.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"
#include "stack/wire/checksum.h"

namespace skiff {

namespace IpProtocol {
constexpr uint8_t kIcmp = 1;
constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
}  // namespace IpProtocol

inline constexpr size_t kIpv4MinHeaderLen = 20;

class Ipv4View {
 public:
  // Checks: len >= 20 (kIpTooShort), version 4 (kIpBadVersion), IHL >= 5 and
  // IHL*4 <= len (kIpBadIhl), IHL*4 <= total_length <= len (kIpBadLength).
  // Does NOT verify the checksum (the caller may trust an rx offload).
  static std::optional<Ipv4View> Parse(ConstByteSpan packet, DropReason* why) {
    if (packet.size() < kIpv4MinHeaderLen) {
      *why = DropReason::kIpTooShort;
      return std::nullopt;
    }
    uint8_t vihl = Load8(packet.data());
    if ((vihl >> 4) != 4) {
      *why = DropReason::kIpBadVersion;
      return std::nullopt;
    }
    size_t hlen = size_t{vihl & 0x0fu} * 4;
    if (hlen < kIpv4MinHeaderLen || hlen > packet.size()) {
      *why = DropReason::kIpBadIhl;
      return std::nullopt;
    }
    // RFC 1122 §3.2.1.1 silently discards datagrams whose total length
    // disagrees with what arrived; bytes beyond it are link padding.
    size_t total = LoadBe16(packet.data() + 2);
    if (total < hlen || total > packet.size()) {
      *why = DropReason::kIpBadLength;
      return std::nullopt;
    }
    return Ipv4View(packet.first(total), hlen);
  }
  // The same checks for the head of an mbuf chain (a GRO super-segment):
  // `head` is the first segment, holding the whole header; `chain_len` the
  // chain's length. total_length() is the datagram's; payload() and
  // datagram() stop at the end of `head`.
  static std::optional<Ipv4View> ParseChainHead(ConstByteSpan head,
                                                size_t chain_len,
                                                DropReason* why) {
    if (head.size() < kIpv4MinHeaderLen) {
      *why = DropReason::kIpTooShort;
      return std::nullopt;
    }
    const size_t total = LoadBe16(head.data() + 2);
    if (total > chain_len) {
      *why = DropReason::kIpBadLength;
      return std::nullopt;
    }
    // With the head cut to at most `total` bytes, Parse's checks apply with
    // the length field read as if the datagram ended there.
    const size_t in_head = std::min(total, head.size());
    uint8_t vihl = Load8(head.data());
    size_t hlen = size_t{vihl & 0x0fu} * 4;
    if ((vihl >> 4) != 4) {
      *why = DropReason::kIpBadVersion;
      return std::nullopt;
    }
    if (hlen < kIpv4MinHeaderLen || hlen > in_head || total < hlen) {
      *why = hlen > in_head && total >= hlen ? DropReason::kIpBadIhl
                                             : DropReason::kIpBadLength;
      return std::nullopt;
    }
    Ipv4View v(head.first(in_head), hlen);
    v.total_ = static_cast<uint16_t>(total);
    return v;
  }

  // The header (options included) sums to zero (RFC 791 §3.1).
  bool ChecksumValid() const { return InternetChecksum(header()) == 0; }

  size_t header_len() const { return header_len_; }
  uint8_t tos() const { return Load8(p() + 1); }
  uint16_t total_length() const { return total_; }
  uint16_t id() const { return LoadBe16(p() + 4); }
  bool dont_fragment() const { return (Load8(p() + 6) & 0x40) != 0; }
  bool more_fragments() const { return (Load8(p() + 6) & 0x20) != 0; }
  uint16_t fragment_offset() const { return LoadBe16(p() + 6) & 0x1fff; }
  bool is_fragment() const { return (LoadBe16(p() + 6) & 0x3fff) != 0; }
  uint8_t ttl() const { return Load8(p() + 8); }
  uint8_t protocol() const { return Load8(p() + 9); }
  uint16_t checksum() const { return LoadBe16(p() + 10); }
  Ipv4Address src() const { return Ipv4Address::Load(p() + 12); }
  Ipv4Address dst() const { return Ipv4Address::Load(p() + 16); }

  ConstByteSpan header() const { return pkt_.first(header_len_); }
  ConstByteSpan options() const {
    return pkt_.subspan(kIpv4MinHeaderLen, header_len_ - kIpv4MinHeaderLen);
  }
  // Up to total_length: link padding excluded.
  ConstByteSpan payload() const { return pkt_.subspan(header_len_); }
  // Header + payload, total_length bytes.
  ConstByteSpan datagram() const { return pkt_; }

 private:
  Ipv4View(ConstByteSpan pkt, size_t header_len)
      : pkt_(pkt),
        total_(static_cast<uint16_t>(pkt.size())),
        header_len_(static_cast<uint8_t>(header_len)) {}
  const std::byte* p() const { return pkt_.data(); }

  ConstByteSpan pkt_;  // total_length bytes (a chain head: up to its end)
  uint16_t total_;
  uint8_t header_len_;
};

// A header as we emit it: no options, never fragmented.
struct Ipv4Repr {
  Ipv4Address src, dst;
  uint8_t protocol = 0;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t id = 0;
  bool dont_fragment = true;
  uint16_t payload_len = 0;
  static constexpr size_t kLen = kIpv4MinHeaderLen;  // we never emit options

  // The fields of a parsed header. Options and fragment fields are not
  // represented; payload_len counts the bytes after the options.
  static Ipv4Repr FromView(const Ipv4View& v) {
    return {v.src(),           v.dst(),
            v.protocol(),      v.ttl(),
            v.tos(),           v.id(),
            v.dont_fragment(), static_cast<uint16_t>(v.payload().size())};
  }
  uint16_t total_length() const {
    return static_cast<uint16_t>(kLen + payload_len);
  }
  // Writes 20 bytes; the checksum field is 0 unless fill_checksum (leave it
  // to the NIC's offload otherwise).
  void Emit(std::byte* p, bool fill_checksum) const;
  friend bool operator==(const Ipv4Repr&, const Ipv4Repr&) = default;
};

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_IPV4_H_
