#include "apps/common/stats_line.h"

#include <cmath>
#include <limits>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "stack/stack_core.h"

ABSL_FLAG(double, stats_interval, 0,
          "print a one-line summary (conns/s, req/s, active connections, "
          "rx/tx packets/s, drops/s, retransmits/s) every SECONDS; 0: off");

namespace skiff {
namespace {

// Per-second rate of a counter over `seconds`.
uint64_t Rate(uint64_t before, uint64_t after, double seconds) {
  if (after < before || seconds <= 0) return 0;
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(after - before) / seconds));
}

}  // namespace

std::string FormatStatsLine(const StatsSample& prev, const StatsSample& cur) {
  const double s = static_cast<double>((cur.at - prev.at).nanos()) * 1e-9;
  const StackCounters& a = prev.counters;
  const StackCounters& b = cur.counters;
  std::string line =
      absl::StrFormat("stats: %.2fs conns/s %d", s,
                      Rate(a.tcp.established, b.tcp.established, s));
  if (prev.requests && cur.requests) {
    absl::StrAppendFormat(&line, " req/s %d",
                          Rate(*prev.requests, *cur.requests, s));
  }
  absl::StrAppendFormat(
      &line, " active %d rx_pps %d tx_pps %d drops/s %d retrans/s %d",
      cur.active, Rate(a.link.rx_packets, b.link.rx_packets, s),
      Rate(a.link.tx_packets, b.link.tx_packets, s),
      Rate(a.drops.Total(), b.drops.Total(), s),
      Rate(a.tcp.retransmits, b.tcp.retransmits, s));
  return line;
}

StatsTicker::StatsTicker(Duration interval, std::FILE* out)
    : interval_(interval),
      out_(out),
      enabled_(interval > Duration()),
      next_(enabled_ ? Instant::FromNanos(std::numeric_limits<int64_t>::min())
                     : Instant::Max()) {}

void StatsTicker::Emit(Instant now, const StackCore& stack,
                       absl::FunctionRef<std::optional<uint64_t>()> requests) {
  StatsSample cur{.at = now,
                  .counters = stack.counters(),
                  .active = stack.tcp().connection_count(),
                  .requests = requests()};
  if (started_) {
    std::fprintf(out_, "%s\n", FormatStatsLine(prev_, cur).c_str());
    std::fflush(out_);
  }
  started_ = true;
  prev_ = cur;
  next_ = now + interval_;
}

Duration StatsIntervalFromFlags() {
  const double seconds = absl::GetFlag(FLAGS_stats_interval);
  if (!(seconds > 0)) return Duration::Zero();
  return Duration::Nanos(static_cast<int64_t>(std::llround(seconds * 1e9)));
}

}  // namespace skiff
