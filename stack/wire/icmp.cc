#include "stack/wire/icmp.h"

#include <cstring>

namespace skiff {
namespace {

// Type, code, zero checksum and the 4-byte rest-of-header, then `body`; the
// checksum covers the whole message (RFC 792).
void EmitMessage(std::byte* p, uint8_t type, uint8_t code, uint16_t rest_hi,
                 uint16_t rest_lo, ConstByteSpan body) {
  Store8(p, type);
  Store8(p + 1, code);
  StoreBe16(p + 2, 0);
  StoreBe16(p + 4, rest_hi);
  StoreBe16(p + 6, rest_lo);
  if (!body.empty()) std::memcpy(p + kIcmpHeaderLen, body.data(), body.size());
  StoreBe16(p + 2, InternetChecksum({p, kIcmpHeaderLen + body.size()}));
}

}  // namespace

void IcmpEchoRepr::Emit(std::byte* p) const {
  EmitMessage(p, type, 0, ident, seq, payload);
}

void IcmpUnreachableRepr::Emit(std::byte* p) const {
  // Unused (zero) except for the next-hop MTU of "fragmentation needed".
  EmitMessage(p, IcmpType::kDestUnreachable, code, 0,
              code == IcmpUnreachCode::kFragNeeded ? next_hop_mtu : 0,
              original);
}

}  // namespace skiff
