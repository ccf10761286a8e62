// The Internet checksum (RFC 1071), its pseudo-header form for TCP/UDP
// (RFC 9293 §3.1) and incremental update (RFC 1624).
#ifndef SKIFF_STACK_WIRE_CHECKSUM_H_
#define SKIFF_STACK_WIRE_CHECKSUM_H_

#include <cstdint>

#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"

namespace skiff {

// Adds `data` to a running 32-bit one's-complement accumulator. Chunks may be
// summed separately and added together if every chunk but the last has even
// length.
uint32_t ChecksumAccumulate(ConstByteSpan data, uint32_t sum = 0);

// Folds the accumulator to 16 bits and complements it: the field value.
inline uint16_t ChecksumFinish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// The checksum of `data` alone (IPv4 header, ICMP message).
inline uint16_t InternetChecksum(ConstByteSpan data) {
  return ChecksumFinish(ChecksumAccumulate(data));
}

// The pseudo-header sum for a transport segment of `l4_length` bytes.
inline uint32_t PseudoHeaderSum(Ipv4Address src, Ipv4Address dst,
                                uint8_t protocol, uint16_t l4_length) {
  uint32_t s = 0;
  s += src.value() >> 16;
  s += src.value() & 0xffff;
  s += dst.value() >> 16;
  s += dst.value() & 0xffff;
  s += protocol;
  s += l4_length;
  return s;
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit field change.
inline uint16_t ChecksumUpdate16(uint16_t old_checksum, uint16_t old_value,
                                 uint16_t new_value) {
  uint32_t sum = static_cast<uint16_t>(~old_checksum);
  sum += static_cast<uint16_t>(~old_value);
  sum += new_value;
  return ChecksumFinish(sum);
}

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_CHECKSUM_H_
