#include "stack/wire/addr.h"

#include <charconv>

#include "absl/strings/str_format.h"

namespace skiff {
namespace {

template <typename T>
bool ParseNumber(std::string_view s, int base, T max, T* out) {
  if (s.empty()) return false;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || ptr != s.data() + s.size() || value > max)
    return false;
  *out = static_cast<T>(value);
  return true;
}

// Splits on `sep` into exactly n parts; false if the count differs.
template <size_t N>
bool SplitExact(std::string_view s, char sep,
                std::array<std::string_view, N>* out) {
  size_t i = 0;
  while (true) {
    size_t pos = s.find(sep);
    if (i == N) return false;
    (*out)[i++] = s.substr(0, pos);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return i == N;
}

}  // namespace

std::optional<MacAddress> MacAddress::Parse(std::string_view s) {
  std::array<std::string_view, 6> parts;
  if (!SplitExact(s, ':', &parts)) return std::nullopt;
  std::array<uint8_t, 6> b;
  for (size_t i = 0; i < 6; ++i) {
    if (parts[i].size() > 2 || !ParseNumber<uint8_t>(parts[i], 16, 0xff, &b[i]))
      return std::nullopt;
  }
  return MacAddress(b);
}

std::string MacAddress::ToString() const {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", b_[0], b_[1], b_[2],
                         b_[3], b_[4], b_[5]);
}

std::optional<Ipv4Address> Ipv4Address::Parse(std::string_view s) {
  std::array<std::string_view, 4> parts;
  if (!SplitExact(s, '.', &parts)) return std::nullopt;
  uint32_t v = 0;
  for (std::string_view p : parts) {
    uint8_t octet;
    if (p.size() > 3 || !ParseNumber<uint8_t>(p, 10, 255, &octet))
      return std::nullopt;
    v = (v << 8) | octet;
  }
  return Ipv4Address(v);
}

std::string Ipv4Address::ToString() const {
  return absl::StrFormat("%d.%d.%d.%d", v_ >> 24, (v_ >> 16) & 0xff,
                         (v_ >> 8) & 0xff, v_ & 0xff);
}

std::optional<Ipv4Cidr> Ipv4Cidr::Parse(std::string_view s) {
  size_t slash = s.find('/');
  std::optional<Ipv4Address> a = Ipv4Address::Parse(s.substr(0, slash));
  if (!a) return std::nullopt;
  uint8_t len = 32;
  if (slash != std::string_view::npos &&
      !ParseNumber<uint8_t>(s.substr(slash + 1), 10, 32, &len))
    return std::nullopt;
  return Ipv4Cidr{*a, len};
}

std::string Ipv4Cidr::ToString() const {
  return absl::StrFormat("%s/%d", addr.ToString(), prefix_len);
}

}  // namespace skiff
