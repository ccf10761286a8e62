// TCP headers (RFC 9293 §3.1) and options: MSS (RFC 9293 §3.2), window
// scale and timestamps (RFC 7323), SACK (RFC 2018).
//
// TcpView is a checked view over received bytes (the data offset is validated
// once in Parse, then every accessor is in bounds); TcpRepr is the value a
// connection reads and writes, with Emit() producing header + options.
#ifndef SKIFF_STACK_WIRE_TCP_H_
#define SKIFF_STACK_WIRE_TCP_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "stack/base/drop_reason.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"
#include "stack/wire/checksum.h"
#include "stack/wire/seq.h"

namespace skiff {

namespace TcpFlag {
constexpr uint8_t kFin = 0x01;
constexpr uint8_t kSyn = 0x02;
constexpr uint8_t kRst = 0x04;
constexpr uint8_t kPsh = 0x08;
constexpr uint8_t kAck = 0x10;
constexpr uint8_t kUrg = 0x20;
constexpr uint8_t kEce = 0x40;
constexpr uint8_t kCwr = 0x80;
}  // namespace TcpFlag

inline constexpr size_t kTcpMinHeaderLen = 20;
inline constexpr size_t kTcpMaxOptionsLen = 40;
inline constexpr size_t kTcpMaxHeaderLen = kTcpMinHeaderLen + kTcpMaxOptionsLen;

// Option kinds (IANA "TCP Option Kind Numbers").
namespace TcpOptionKind {
constexpr uint8_t kEol = 0;
constexpr uint8_t kNop = 1;
constexpr uint8_t kMss = 2;
constexpr uint8_t kWindowScale = 3;
constexpr uint8_t kSackPermitted = 4;
constexpr uint8_t kSack = 5;
constexpr uint8_t kTimestamp = 8;
}  // namespace TcpOptionKind

// RFC 7323 §2.3: shifts above 14 are treated as 14.
inline constexpr uint8_t kTcpMaxWindowScale = 14;

struct TcpTimestamp {
  uint32_t tsval = 0;
  uint32_t tsecr = 0;
  friend bool operator==(const TcpTimestamp&, const TcpTimestamp&) = default;
};

// [left, right): right is the sequence number just past the block.
struct SackBlock {
  SeqNum left, right;
  friend bool operator==(const SackBlock&, const SackBlock&) = default;
};

struct TcpOptions {
  static constexpr size_t kMaxSackBlocks = 4;

  std::optional<uint16_t> mss;
  std::optional<uint8_t> window_scale;
  bool sack_permitted = false;
  std::optional<TcpTimestamp> timestamp;
  uint8_t sack_count = 0;  // valid entries at the front of `sack`
  std::array<SackBlock, kMaxSackBlocks> sack{};

  // Parses the option bytes of a header. NOP and EOL are honoured, unknown
  // kinds are skipped by their length; a length below 2 or past the end, or
  // a known kind with the wrong length, is malformed (nullopt). More than 4
  // SACK blocks cannot occur (40 option bytes). A zero MSS is ignored.
  static std::optional<TcpOptions> Parse(ConstByteSpan bytes);

  // Bytes Emit() writes: a multiple of 4, at most kTcpMaxOptionsLen. SACK
  // blocks that do not fit beside the other options are left out.
  size_t EmittedLen() const;
  // Writes the options with NOP padding in Linux's order: MSS, SACK-permitted,
  // timestamps, window scale, then SACK blocks. Returns EmittedLen().
  size_t Emit(std::byte* p) const;

  bool empty() const {
    return !mss && !window_scale && !sack_permitted && !timestamp &&
           sack_count == 0;
  }
  friend bool operator==(const TcpOptions& a, const TcpOptions& b);
};

class TcpView {
 public:
  // Checks: len >= 20 (kTcpMalformed); data offset >= 5 and offset*4 <= len
  // (kTcpBadOffset). Options are not parsed here (see TcpRepr::FromView),
  // and the checksum is not verified (the NIC may have done it).
  static std::optional<TcpView> Parse(ConstByteSpan segment, DropReason* why);

  // The checksum over the pseudo-header and the whole segment is valid.
  bool ChecksumValid(Ipv4Address src, Ipv4Address dst) const;

  uint16_t src_port() const { return LoadBe16(p()); }
  uint16_t dst_port() const { return LoadBe16(p() + 2); }
  SeqNum seq() const { return SeqNum(LoadBe32(p() + 4)); }
  SeqNum ack() const { return SeqNum(LoadBe32(p() + 8)); }
  size_t header_len() const { return header_len_; }
  uint8_t flags() const { return Load8(p() + 13); }
  bool has(uint8_t flag) const { return (flags() & flag) != 0; }
  uint16_t window() const { return LoadBe16(p() + 14); }
  uint16_t checksum() const { return LoadBe16(p() + 16); }
  uint16_t urgent() const { return LoadBe16(p() + 18); }
  ConstByteSpan options() const {
    return seg_.subspan(kTcpMinHeaderLen, header_len_ - kTcpMinHeaderLen);
  }
  ConstByteSpan payload() const { return seg_.subspan(header_len_); }
  ConstByteSpan segment() const { return seg_; }

 private:
  TcpView(ConstByteSpan seg, size_t header_len)
      : seg_(seg), header_len_(static_cast<uint8_t>(header_len)) {}
  const std::byte* p() const { return seg_.data(); }

  ConstByteSpan seg_;
  uint8_t header_len_;
};

// A header as a value. Ports, sequence numbers and the raw (unscaled) window
// field as on the wire; the checksum is not represented.
struct TcpRepr {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  SeqNum seq;
  SeqNum ack;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t urgent = 0;
  TcpOptions options;

  // The fields of a parsed header; malformed options → nullopt with
  // *why = kTcpMalformed.
  static std::optional<TcpRepr> FromView(const TcpView& v, DropReason* why);

  bool has(uint8_t flag) const { return (flags & flag) != 0; }
  // 20 + options, a multiple of 4.
  size_t header_len() const { return kTcpMinHeaderLen + options.EmittedLen(); }
  // Writes header_len() bytes with a zero checksum field.
  void Emit(std::byte* p) const;
  friend bool operator==(const TcpRepr&, const TcpRepr&) = default;
};

// `segment` is header + payload as emitted; fills the checksum field with the
// full checksum over the pseudo-header and the segment (RFC 9293 §3.1).
void TcpFillChecksum(ByteSpan segment, Ipv4Address src, Ipv4Address dst);

// Stores only the folded, uncomplemented pseudo-header sum in the checksum
// field: what a NIC with TCP tx checksum offload (DPDK RTE_MBUF_F_TX_TCP_CKSUM)
// expects to find there before it sums the segment itself.
void TcpFillPseudoHeaderChecksum(ByteSpan segment, Ipv4Address src,
                                 Ipv4Address dst);

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_TCP_H_
