#include <charconv>

#include "absl/strings/str_format.h"
#include "bench/harness/runner.h"

namespace skiff::bench {

std::optional<Endpoint> Endpoint::Parse(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = s.substr(0, colon);
  std::string_view port = s.substr(colon + 1);
  uint32_t ip = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? host.find('.') : host.size();
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    unsigned octet = 0;
    auto [ptr, ec] = std::from_chars(host.data(), host.data() + dot, octet);
    if (ec != std::errc() || ptr != host.data() + dot || octet > 255)
      return std::nullopt;
    ip = (ip << 8) | octet;
    host.remove_prefix(dot == host.size() ? dot : dot + 1);
  }
  if (!host.empty()) return std::nullopt;
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p == 0 ||
      p > 65535)
    return std::nullopt;
  return Endpoint{ip, static_cast<uint16_t>(p)};
}

std::string Endpoint::ToString() const {
  return absl::StrFormat("%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff,
                         (ip >> 8) & 0xff, ip & 0xff, port);
}

}  // namespace skiff::bench
