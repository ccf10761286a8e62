#include "stack/base/toeplitz.h"

namespace skiff {
namespace {

// The 32 key bits starting at bit `bit` (bit 0 = most significant of key[0]).
uint32_t KeyWindow(const ToeplitzHash::Key& key, size_t bit) {
  const size_t byte = bit / 8;
  const size_t shift = bit % 8;
  uint64_t w = 0;
  for (size_t i = 0; i < 5; ++i) {
    w = (w << 8) | (byte + i < key.size() ? key[byte + i] : 0);
  }
  return static_cast<uint32_t>(w >> (8 - shift));
}

}  // namespace

uint32_t ToeplitzHash::Reference(const Key& key,
                                 std::span<const uint8_t> input) {
  uint32_t h = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    for (size_t b = 0; b < 8; ++b) {
      if ((input[i] & (0x80 >> b)) != 0) h ^= KeyWindow(key, i * 8 + b);
    }
  }
  return h;
}

ToeplitzHash::ToeplitzHash(const Key& key) : key_(key) {
  for (size_t i = 0; i < kTableBytes; ++i) {
    for (size_t v = 0; v < 256; ++v) {
      uint32_t h = 0;
      for (size_t b = 0; b < 8; ++b) {
        if ((v & (0x80 >> b)) != 0) h ^= KeyWindow(key, i * 8 + b);
      }
      table_[i][v] = h;
    }
  }
}

}  // namespace skiff
