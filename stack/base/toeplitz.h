// ToeplitzHash: the receive-side-scaling hash NICs compute (Microsoft's RSS
// specification, "Verifying the RSS Hash Calculation"; Intel 82599 datasheet
// §7.1.2.8), here in plain C++ so the stack can predict which queue a reply
// will reach (stack/base/rss.h) without calling DPDK. The test
// (tests/unit/base/toeplitz_test.cc) checks it against the specification's
// verification suite and against DPDK's rte_softrss.
//
// The hash is linear over XOR: H(a ^ b) = H(a) ^ H(b) for inputs of equal
// length, so the contribution of each field can be computed apart; the port
// chooser relies on that.
#ifndef SKIFF_STACK_BASE_TOEPLITZ_H_
#define SKIFF_STACK_BASE_TOEPLITZ_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace skiff {

class ToeplitzHash {
 public:
  // 40 bytes: enough for an IPv6 4-tuple (36 bytes of input + 4).
  static constexpr size_t kKeySize = 40;
  using Key = std::array<uint8_t, kKeySize>;

  // Microsoft's default key (the verification suite's, most NICs' default).
  static constexpr Key kMicrosoftKey = {
      0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
      0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
      0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
      0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

  // The repeated 0x6d5a key (Woo and Park, "Scalable TCP Session
  // Monitoring with Symmetric Receive-side Scaling", 2012): a key with a
  // 16-bit period makes the hash a function of the XOR of the input's
  // 16-bit words, so swapping source and destination (address and port)
  // gives the same hash: both directions of a flow reach the same queue.
  static constexpr Key kSymmetricKey = [] {
    Key k{};
    for (size_t i = 0; i < kKeySize; i += 2) {
      k[i] = 0x6d;
      k[i + 1] = 0x5a;
    }
    return k;
  }();

  // Bit by bit, as the specification defines it: for every set bit of the
  // input (most significant first), XOR in the 32 key bits starting at
  // that bit. input.size() <= kKeySize - 4.
  static uint32_t Reference(const Key& key, std::span<const uint8_t> input);

  explicit ToeplitzHash(const Key& key);

  // The NIC's IPV4_TCP / IPV4_UDP hash: input is source address,
  // destination address, source port, destination port, big-endian, in
  // that order. Addresses and ports in host byte order. 12 table lookups.
  uint32_t Ipv4L4(uint32_t src, uint32_t dst, uint16_t src_port,
                  uint16_t dst_port) const {
    return Word(0, src) ^ Word(4, dst) ^ Half(8, src_port) ^ Half(10, dst_port);
  }
  // The NIC's IPV4 (L3 only) hash: source and destination address.
  uint32_t Ipv4(uint32_t src, uint32_t dst) const {
    return Word(0, src) ^ Word(4, dst);
  }

  const Key& key() const { return key_; }

 private:
  static constexpr size_t kTableBytes = 12;  // IPv4 4-tuple
  uint32_t Byte(size_t at, uint8_t v) const { return table_[at][v]; }
  uint32_t Half(size_t at, uint16_t v) const {
    return Byte(at, static_cast<uint8_t>(v >> 8)) ^
           Byte(at + 1, static_cast<uint8_t>(v));
  }
  uint32_t Word(size_t at, uint32_t v) const {
    return Half(at, static_cast<uint16_t>(v >> 16)) ^
           Half(at + 2, static_cast<uint16_t>(v));
  }

  Key key_;
  // table_[i][v]: the hash of an input that is zero except byte i == v.
  std::array<std::array<uint32_t, 256>, kTableBytes> table_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_TOEPLITZ_H_
