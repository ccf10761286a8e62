#include "stack/observe/telemetry_format.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace skiff {
namespace {

bool InSet(std::string_view name, CounterSet set) {
  const bool drop = name.starts_with("drop_");
  return set == CounterSet::kDrops ? drop : !drop;
}

TelemetryReply TableHeader(const Snapshot& s, unsigned lcore, size_t rows) {
  TelemetryReply r;
  r.Add("lcore", lcore);
  r.Add("total", s.total);
  r.Add("start", s.start);
  if (s.start + rows < s.total) r.Add("next", s.start + rows);
  return r;
}

// Adds a column filled by `get(row)`.
template <typename Row, typename Get>
void NumberColumn(TelemetryReply& r, std::string name,
                  const std::vector<Row>& rows, Get get) {
  TelemetryReply::Column c{.name = std::move(name)};
  c.numbers.reserve(rows.size());
  for (const Row& row : rows) c.numbers.push_back(get(row));
  r.columns.push_back(std::move(c));
}
template <typename Row, typename Get>
void StringColumn(TelemetryReply& r, std::string name,
                  const std::vector<Row>& rows, Get get) {
  TelemetryReply::Column c{.name = std::move(name), .is_string = true};
  c.strings.reserve(rows.size());
  for (const Row& row : rows) c.strings.push_back(get(row));
  r.columns.push_back(std::move(c));
}

}  // namespace

const TelemetryReply::Field* TelemetryReply::Find(std::string_view name) const {
  for (const Field& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const TelemetryReply::Column* TelemetryReply::FindColumn(
    std::string_view name) const {
  for (const Column& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string FormatEndpoint(Ipv4Address addr, uint16_t port) {
  return absl::StrCat(addr.ToString(), ":", port);
}

TelemetryReply CountersReply(std::span<const StackCounters> per_stack,
                             CounterSet set) {
  TelemetryReply r;
  // VisitCounters walks in a fixed order: sum position by position.
  std::vector<uint64_t> sums;
  for (const StackCounters& c : per_stack) {
    size_t i = 0;
    VisitCounters(c, [&](std::string_view name, uint64_t v) {
      if (!InSet(name, set)) return;
      if (i == sums.size()) sums.push_back(0);
      sums[i++] += v;
    });
  }
  r.Add("lcores", per_stack.size());
  size_t i = 0;
  VisitCounters(StackCounters(), [&](std::string_view name, uint64_t) {
    if (!InSet(name, set)) return;
    r.Add(std::string(name), i < sums.size() ? sums[i] : 0);
    ++i;
  });
  return r;
}

TelemetryReply ArpReply(const Snapshot& s, unsigned lcore) {
  TelemetryReply r = TableHeader(s, lcore, s.arp.size());
  StringColumn(r, "ip", s.arp, [](const ArpRow& a) { return a.ip.ToString(); });
  StringColumn(r, "mac", s.arp, [](const ArpRow& a) {
    return a.resolved ? a.mac.ToString() : std::string("(incomplete)");
  });
  NumberColumn(r, "parked", s.arp, [](const ArpRow& a) { return a.parked; });
  // Until the entry ages out (resolved) or is asked for again; 0: due.
  NumberColumn(r, "expires_ms", s.arp, [](const ArpRow& a) {
    return static_cast<uint64_t>(a.deadline_ms > 0 ? a.deadline_ms : 0);
  });
  return r;
}

TelemetryReply ListenersReply(const Snapshot& s, unsigned lcore) {
  TelemetryReply r = TableHeader(s, lcore, s.listeners.size());
  using L = ListenerRow;
  NumberColumn(r, "port", s.listeners, [](const L& l) { return l.port; });
  NumberColumn(r, "backlog", s.listeners, [](const L& l) { return l.backlog; });
  NumberColumn(r, "syn_queue", s.listeners,
               [](const L& l) { return l.syn_queue; });
  NumberColumn(r, "accept_queue", s.listeners,
               [](const L& l) { return l.accept_queue; });
  return r;
}

TelemetryReply ConnectionsReply(const Snapshot& s, unsigned lcore) {
  TelemetryReply r = TableHeader(s, lcore, s.connections.size());
  using C = ConnectionRow;
  const auto& rows = s.connections;
  StringColumn(r, "state", rows,
               [](const C& c) { return std::string(TcpStateName(c.state)); });
  StringColumn(r, "local", rows, [](const C& c) {
    return FormatEndpoint(c.tuple.local_addr, c.tuple.local_port);
  });
  StringColumn(r, "remote", rows, [](const C& c) {
    return FormatEndpoint(c.tuple.remote_addr, c.tuple.remote_port);
  });
#define SKIFF_COL(field) \
  NumberColumn(r, #field, rows, [](const C& c) { return uint64_t(c.field); })
  SKIFF_COL(srtt_us);
  SKIFF_COL(rttvar_us);
  SKIFF_COL(rto_us);
  SKIFF_COL(mss);
  SKIFF_COL(cwnd);
  SKIFF_COL(ssthresh);
  SKIFF_COL(snd_wnd);
  SKIFF_COL(rcv_wnd);
  SKIFF_COL(bytes_in_flight);
  SKIFF_COL(retransmits);
  SKIFF_COL(send_queue);
  SKIFF_COL(recv_queue);
  SKIFF_COL(bytes_in);
  SKIFF_COL(bytes_out);
  SKIFF_COL(segs_in);
  SKIFF_COL(segs_out);
#undef SKIFF_COL
  return r;
}

std::optional<TableParams> ParseTableParams(std::string_view params) {
  TableParams p;
  // Debian's Abseil has its own string_view.
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(params.data(), params.size()), ',');
  if (parts.size() > 2) return std::nullopt;
  absl::string_view lcore = absl::StripAsciiWhitespace(parts[0]);
  if (!lcore.empty()) {
    unsigned v = 0;
    if (!absl::SimpleAtoi(lcore, &v)) return std::nullopt;
    p.lcore = v;
  }
  if (parts.size() == 2) {
    absl::string_view start = absl::StripAsciiWhitespace(parts[1]);
    if (!start.empty() && !absl::SimpleAtoi(start, &p.start)) {
      return std::nullopt;
    }
  }
  return p;
}

}  // namespace skiff
