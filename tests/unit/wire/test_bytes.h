// Small helpers for byte-level wire tests.
#ifndef SKIFF_TESTS_UNIT_WIRE_TEST_BYTES_H_
#define SKIFF_TESTS_UNIT_WIRE_TEST_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "stack/wire/bytes.h"

namespace skiff::testing {

inline std::vector<std::byte> Bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  out.reserve(v.size());
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

inline std::vector<std::byte> ToVector(ConstByteSpan s) {
  return {s.begin(), s.end()};
}

// "45 00 00 54 ..." for readable failure messages.
inline std::string HexDump(ConstByteSpan s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    absl::StrAppendFormat(&out, "%s%02x", i == 0 ? "" : (i % 16 ? " " : "\n"),
                          static_cast<int>(s[i]));
  }
  return out;
}

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_WIRE_TEST_BYTES_H_
