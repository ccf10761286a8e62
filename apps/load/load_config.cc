#include "apps/load/load_config.h"

namespace skiff::load {

std::string_view ErrorKindName(ErrorKind k) {
  switch (k) {
    case ErrorKind::kRefused:
      return "refused";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kReset:
      return "reset";
    case ErrorKind::kBadStatus:
      return "bad_status";
    case ErrorKind::kParse:
      return "parse";
    case ErrorKind::kClosed:
      return "closed";
    case ErrorKind::kOther:
      return "other";
  }
  return "?";
}

std::optional<Workload> ParseWorkload(std::string_view s) {
  if (s == "cps") return Workload::kCps;
  if (s == "rps") return Workload::kRps;
  if (s == "cc") return Workload::kCc;
  if (s == "bulk") return Workload::kBulk;
  return std::nullopt;
}

std::optional<std::vector<Ipv4Address>> ParseAddressList(std::string_view s,
                                                         size_t max) {
  std::vector<Ipv4Address> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    const std::string_view part = s.substr(0, comma);
    s.remove_prefix(comma == std::string_view::npos ? s.size() : comma + 1);
    const size_t dash = part.find('-');
    std::optional<Ipv4Address> a =
        Ipv4Address::Parse(std::string(part.substr(0, dash)));
    std::optional<Ipv4Address> b =
        dash == std::string_view::npos
            ? a
            : Ipv4Address::Parse(std::string(part.substr(dash + 1)));
    if (!a || !b || b->value() < a->value() ||
        b->value() - a->value() >= max - out.size())
      return std::nullopt;
    for (uint32_t v = a->value();; ++v) {
      out.push_back(Ipv4Address(v));
      if (v == b->value()) break;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string_view WorkloadName(Workload w) {
  switch (w) {
    case Workload::kCps:
      return "cps";
    case Workload::kRps:
      return "rps";
    case Workload::kCc:
      return "cc";
    case Workload::kBulk:
      return "bulk";
  }
  return "?";
}

LoadCounters LoadCounters::operator-(const LoadCounters& o) const {
  LoadCounters d;
  d.conns_opened = conns_opened - o.conns_opened;
  d.conns_established = conns_established - o.conns_established;
  d.requests_sent = requests_sent - o.requests_sent;
  d.requests_done = requests_done - o.requests_done;
  d.bytes_in = bytes_in - o.bytes_in;
  d.bytes_out = bytes_out - o.bytes_out;
  for (size_t i = 0; i < kErrorKinds; ++i)
    d.errors[i] = errors[i] - o.errors[i];
  return d;
}

}  // namespace skiff::load
