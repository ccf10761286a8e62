#include "drivers/rss/frame_hash.h"

namespace skiff {
namespace {

constexpr size_t kEthLen = 14;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmp = 1;
constexpr size_t kIcmpHeaderLen = 8;

bool IsFragment(const std::byte* ip) {
  return (LoadBe16(ip + 6) & 0x3fff) != 0;
}

// RFC 792 / RFC 1122 §3.2.2: the types that quote the datagram in error.
bool IsIcmpError(uint8_t type) {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

}  // namespace

FrameHash HashFrame(const ToeplitzHash& toeplitz, ConstByteSpan frame) {
  if (frame.size() < kEthLen) return {};
  const std::byte* p = frame.data();
  const uint16_t type = LoadBe16(p + 12);
  if (type == kEtherTypeArp) return {.cls = FrameClass::kArp};
  if (type != kEtherTypeIpv4 || frame.size() < kEthLen + 20) return {};
  const std::byte* ip = p + kEthLen;
  const size_t ihl = size_t{Load8(ip) & 0x0fu} * 4;
  if ((Load8(ip) >> 4) != 4 || ihl < 20) return {};
  const uint32_t src = LoadBe32(ip + 12);
  const uint32_t dst = LoadBe32(ip + 16);
  const uint8_t proto = Load8(ip + 9);
  // MF set or a nonzero offset: only the first fragment has ports, so NICs
  // hash every fragment by addresses alone.
  const bool fragment = IsFragment(ip);
  if ((proto == kProtoTcp || proto == kProtoUdp) && !fragment &&
      frame.size() >= kEthLen + ihl + 4) {
    const std::byte* l4 = ip + ihl;
    return {.cls = FrameClass::kIpv4L4,
            .hash = toeplitz.Ipv4L4(src, dst, LoadBe16(l4), LoadBe16(l4 + 2))};
  }
  return {.cls = FrameClass::kIpv4, .hash = toeplitz.Ipv4(src, dst)};
}

FrameHash HashIcmpErrorQuote(const ToeplitzHash& toeplitz,
                             ConstByteSpan frame) {
  if (frame.size() < kEthLen + 20 ||
      LoadBe16(frame.data() + 12) != kEtherTypeIpv4) {
    return {};
  }
  const std::byte* ip = frame.data() + kEthLen;
  const size_t ihl = size_t{Load8(ip) & 0x0fu} * 4;
  if ((Load8(ip) >> 4) != 4 || ihl < 20 || Load8(ip + 9) != kProtoIcmp ||
      IsFragment(ip) || frame.size() < kEthLen + ihl + kIcmpHeaderLen + 20) {
    return {};
  }
  const std::byte* icmp = ip + ihl;
  if (!IsIcmpError(Load8(icmp))) return {};
  const std::byte* quote = icmp + kIcmpHeaderLen;
  const size_t qihl = size_t{Load8(quote) & 0x0fu} * 4;
  const uint8_t qproto = Load8(quote + 9);
  if ((Load8(quote) >> 4) != 4 || qihl < 20 || IsFragment(quote) ||
      (qproto != kProtoTcp && qproto != kProtoUdp) ||
      frame.size() < kEthLen + ihl + kIcmpHeaderLen + qihl + 4) {
    return {};
  }
  // The quote is a datagram we sent: swap it to the direction we receive.
  const std::byte* l4 = quote + qihl;
  return {.cls = FrameClass::kIpv4L4,
          .hash = toeplitz.Ipv4L4(LoadBe32(quote + 16), LoadBe32(quote + 12),
                                  LoadBe16(l4 + 2), LoadBe16(l4))};
}

}  // namespace skiff
