#include "stack/wire/checksum.h"

#include <bit>
#include <cstring>

namespace skiff {

uint32_t ChecksumAccumulate(ConstByteSpan data, uint32_t sum) {
  // Sum 32-bit words into a 64-bit accumulator (carries are folded at the
  // end), which the compiler vectorises; then the 16-bit and odd tails.
  const std::byte* p = data.data();
  size_t n = data.size();
  uint64_t acc = 0;
  while (n >= 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;  // native order; swapped once below
    p += 4;
    n -= 4;
  }
  // Fold to 16 bits in native order, then to big-endian sense: the
  // one's-complement sum is byte-order independent (RFC 1071 §2(B)).
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  uint32_t be = static_cast<uint32_t>(acc);
  if constexpr (std::endian::native == std::endian::little)
    be = ((be & 0xff) << 8) | (be >> 8);
  be += sum;
  if (n >= 2) {
    be += LoadBe16(p);
    p += 2;
    n -= 2;
  }
  if (n == 1) be += static_cast<uint32_t>(Load8(p)) << 8;
  return be;
}

}  // namespace skiff
