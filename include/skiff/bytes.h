// Big-endian loads and stores on byte spans. Wire code reads fields through
// these, never by casting to a packed struct (STYLE.md §1).
#ifndef SKIFF_BYTES_H_
#define SKIFF_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace skiff {

using ByteSpan = std::span<std::byte>;
using ConstByteSpan = std::span<const std::byte>;

inline uint8_t Load8(const std::byte* p) { return static_cast<uint8_t>(*p); }
inline uint16_t LoadBe16(const std::byte* p) {
  return static_cast<uint16_t>((static_cast<uint16_t>(p[0]) << 8) |
                               static_cast<uint16_t>(p[1]));
}
inline uint32_t LoadBe32(const std::byte* p) {
  return (static_cast<uint32_t>(p[0]) << 24) |
         (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}
inline void Store8(std::byte* p, uint8_t v) { *p = static_cast<std::byte>(v); }
inline void StoreBe16(std::byte* p, uint16_t v) {
  p[0] = static_cast<std::byte>(v >> 8);
  p[1] = static_cast<std::byte>(v);
}
inline void StoreBe32(std::byte* p, uint32_t v) {
  p[0] = static_cast<std::byte>(v >> 24);
  p[1] = static_cast<std::byte>(v >> 16);
  p[2] = static_cast<std::byte>(v >> 8);
  p[3] = static_cast<std::byte>(v);
}

// Views a string literal or std::string as bytes (tests and apps).
inline ConstByteSpan AsBytes(const void* data, size_t len) {
  return {static_cast<const std::byte*>(data), len};
}

}  // namespace skiff

#endif  // SKIFF_BYTES_H_
