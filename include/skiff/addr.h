// Link and network addresses as small value types.
#ifndef SKIFF_ADDR_H_
#define SKIFF_ADDR_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "skiff/bytes.h"

namespace skiff {

class MacAddress {
 public:
  constexpr MacAddress() = default;
  constexpr explicit MacAddress(std::array<uint8_t, 6> b) : b_(b) {}
  static constexpr MacAddress Broadcast() {
    return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  }
  static MacAddress Load(const std::byte* p) {
    MacAddress m;
    std::memcpy(m.b_.data(), p, 6);
    return m;
  }
  void Store(std::byte* p) const { std::memcpy(p, b_.data(), 6); }
  // "aa:bb:cc:dd:ee:ff"
  static std::optional<MacAddress> Parse(std::string_view s);
  std::string ToString() const;

  constexpr bool IsBroadcast() const { return *this == Broadcast(); }
  constexpr bool IsMulticast() const { return (b_[0] & 1) != 0; }
  constexpr bool IsZero() const { return *this == MacAddress(); }
  constexpr const std::array<uint8_t, 6>& bytes() const { return b_; }
  constexpr auto operator<=>(const MacAddress&) const = default;

  template <typename H>
  friend H AbslHashValue(H h, const MacAddress& m) {
    return H::combine(std::move(h), m.b_);
  }

 private:
  std::array<uint8_t, 6> b_{};
};

// An IPv4 address held in host byte order (10.0.0.1 == 0x0a000001).
class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(uint32_t host_order) : v_(host_order) {}
  constexpr Ipv4Address(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
      : v_((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d) {
  }
  static constexpr Ipv4Address Any() { return Ipv4Address(0u); }
  static constexpr Ipv4Address Broadcast() { return Ipv4Address(0xffffffffu); }
  static Ipv4Address Load(const std::byte* p) {
    return Ipv4Address(LoadBe32(p));
  }
  void Store(std::byte* p) const { StoreBe32(p, v_); }
  // Dotted quad.
  static std::optional<Ipv4Address> Parse(std::string_view s);
  std::string ToString() const;

  constexpr uint32_t value() const { return v_; }
  constexpr bool IsAny() const { return v_ == 0; }
  constexpr bool IsBroadcast() const { return v_ == 0xffffffffu; }
  constexpr bool IsMulticast() const { return (v_ >> 28) == 0xe; }
  constexpr bool IsLoopback() const { return (v_ >> 24) == 127; }
  constexpr auto operator<=>(const Ipv4Address&) const = default;

  template <typename H>
  friend H AbslHashValue(H h, const Ipv4Address& a) {
    return H::combine(std::move(h), a.v_);
  }

 private:
  uint32_t v_ = 0;
};

// An address with its prefix length: "10.88.0.2/24".
struct Ipv4Cidr {
  Ipv4Address addr;
  uint8_t prefix_len = 32;

  static std::optional<Ipv4Cidr> Parse(std::string_view s);
  std::string ToString() const;

  constexpr uint32_t mask() const {
    return prefix_len == 0 ? 0u : ~uint32_t{0} << (32 - prefix_len);
  }
  constexpr Ipv4Address network() const {
    return Ipv4Address(addr.value() & mask());
  }
  constexpr Ipv4Address directed_broadcast() const {
    return Ipv4Address(addr.value() | ~mask());
  }
  constexpr bool Contains(Ipv4Address a) const {
    return (a.value() & mask()) == (addr.value() & mask());
  }
};

}  // namespace skiff

#endif  // SKIFF_ADDR_H_
