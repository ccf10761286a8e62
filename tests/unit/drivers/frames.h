// Test frames for the driver tests: Ethernet + IPv4 + ICMP echo with valid
// checksums, so that any flipped byte past the Ethernet header is caught.
#ifndef SKIFF_TESTS_UNIT_DRIVERS_FRAMES_H_
#define SKIFF_TESTS_UNIT_DRIVERS_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"
#include "stack/wire/checksum.h"

namespace skiff::testing {

// An ICMP echo request from src to dst carrying `id` and `payload_len`
// bytes of pattern.
inline std::vector<std::byte> IcmpFrame(MacAddress src, MacAddress dst,
                                        uint16_t id, size_t payload_len = 32) {
  const size_t ip_len = 20 + 8 + payload_len;
  std::vector<std::byte> f(14 + ip_len);
  std::byte* p = f.data();
  dst.Store(p);
  src.Store(p + 6);
  StoreBe16(p + 12, 0x0800);
  std::byte* ip = p + 14;
  Store8(ip, 0x45);
  StoreBe16(ip + 2, static_cast<uint16_t>(ip_len));
  StoreBe16(ip + 4, id);
  Store8(ip + 8, 64);
  Store8(ip + 9, 1);  // ICMP
  StoreBe32(ip + 12, 0x0a000001);
  StoreBe32(ip + 16, 0x0a000002);
  StoreBe16(ip + 10, InternetChecksum({ip, 20}));
  std::byte* icmp = ip + 20;
  Store8(icmp, 8);  // echo request
  StoreBe16(icmp + 4, id);
  StoreBe16(icmp + 6, 1);
  for (size_t i = 0; i < payload_len; ++i) {
    Store8(icmp + 8 + i, static_cast<uint8_t>(i + id));
  }
  StoreBe16(icmp + 2, InternetChecksum({icmp, 8 + payload_len}));
  return f;
}

// True if both the IPv4 header and the ICMP checksums verify.
inline bool ChecksumsGood(const std::vector<std::byte>& f) {
  if (f.size() < 14 + 28) return false;
  const std::byte* ip = f.data() + 14;
  const size_t ip_len = LoadBe16(ip + 2);
  if (ip_len < 28 || 14 + ip_len > f.size()) return false;
  return InternetChecksum({ip, 20}) == 0 &&
         InternetChecksum({ip + 20, ip_len - 20}) == 0;
}

// The id the frame was built with.
inline uint16_t FrameId(const std::vector<std::byte>& f) {
  return LoadBe16(f.data() + 14 + 4);
}

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_DRIVERS_FRAMES_H_
