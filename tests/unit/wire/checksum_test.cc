#include "stack/wire/checksum.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

namespace skiff {
namespace {

// Byte-at-a-time reference straight from RFC 1071 §4.1.
uint16_t Reference(ConstByteSpan d) {
  uint32_t sum = 0;
  size_t i = 0;
  for (; i + 1 < d.size(); i += 2) sum += LoadBe16(&d[i]);
  if (i < d.size()) sum += static_cast<uint32_t>(Load8(&d[i])) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (checksum 220d).
  const std::array<uint8_t, 8> b = {0x00, 0x01, 0xf2, 0x03,
                                    0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(InternetChecksum(AsBytes(b.data(), b.size())), 0x220d);
}

TEST(Checksum, MatchesReferenceForAllLengthsAndChunking) {
  std::mt19937 rng(42);
  std::vector<std::byte> buf(9000);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (size_t len : {0, 1, 2, 3, 5, 7, 19, 20, 64, 1499, 1500, 9000}) {
    ConstByteSpan d(buf.data(), len);
    EXPECT_EQ(InternetChecksum(d), Reference(d)) << len;
    if (len >= 20) {  // even-length first chunk, then the rest
      uint32_t s = ChecksumAccumulate(d.first(20));
      s = ChecksumAccumulate(d.subspan(20), s);
      EXPECT_EQ(ChecksumFinish(s), Reference(d)) << len;
    }
  }
}

TEST(Checksum, VerifiesToZeroWithFieldFilledIn) {
  // A real IPv4 header (from a Linux ping): checksum field 0xb861.
  const std::array<uint8_t, 20> ip = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                      0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
                                      0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(InternetChecksum(AsBytes(ip.data(), ip.size())), 0);
}

TEST(Checksum, IncrementalUpdateMatchesRecompute) {
  std::array<uint8_t, 20> ip = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
                                0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  auto bytes = [&] {
    return ByteSpan(reinterpret_cast<std::byte*>(ip.data()), ip.size());
  };
  uint16_t c = InternetChecksum(bytes());
  // Decrement TTL (byte 8) as a router would: 16-bit word at offset 8.
  uint16_t old_word = LoadBe16(&bytes()[8]);
  ip[8] -= 1;
  uint16_t new_word = LoadBe16(&bytes()[8]);
  EXPECT_EQ(ChecksumUpdate16(c, old_word, new_word), InternetChecksum(bytes()));
}

TEST(Checksum, PseudoHeaderSumFoldsAddresses) {
  uint32_t s = PseudoHeaderSum(Ipv4Address(10, 0, 0, 1),
                               Ipv4Address(10, 0, 0, 2), 6, 20);
  EXPECT_EQ(s, 0x0a00u + 0x0001u + 0x0a00u + 0x0002u + 6u + 20u);
}

}  // namespace
}  // namespace skiff
