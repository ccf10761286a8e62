#include "apps/common/lcore_monitor.h"

#include <limits>
#include <thread>
#include <utility>

#include "absl/strings/str_format.h"
#include "stack/counters.h"

namespace skiff {

StatsSample SumStatsSample(Instant at, std::span<const Snapshot> each) {
  StatsSample s{.at = at};
  bool all_requests = !each.empty();
  uint64_t requests = 0;
  for (const Snapshot& snap : each) {
    // The counters FormatStatsLine reads (its rates), summed.
    const StackCounters& c = snap.counters;
    s.counters.tcp.established += c.tcp.established;
    s.counters.tcp.retransmits += c.tcp.retransmits;
    s.counters.link.rx_packets += c.link.rx_packets;
    s.counters.link.tx_packets += c.link.tx_packets;
    for (size_t i = 0; i < kDropReasonCount; ++i) {
      const auto r = static_cast<DropReason>(i);
      s.counters.drops.Add(r, c.drops[r]);
    }
    s.active += snap.tcp_connections;
    if (snap.app_requests) {
      requests += *snap.app_requests;
    } else {
      all_requests = false;
    }
  }
  if (all_requests) s.requests = requests;
  return s;
}

namespace {

struct StatusFigures {
  std::optional<uint64_t> live;
  uint64_t tcp = 0, chunks = 0, high_water = 0, exhausted = 0;
  void Add(const Snapshot& s) {
    if (s.app_live) live = live.value_or(0) + *s.app_live;
    tcp += s.tcp_connections;
    chunks += s.buffer_chunks_in_use;
    high_water += s.buffer_chunks_high_water;
    exhausted += s.buffer_pool_exhausted;
  }
  std::string Format() const {
    std::string out;
    if (live) absl::StrAppendFormat(&out, " live_connections %u", *live);
    absl::StrAppendFormat(
        &out,
        " tcp_connections %u buffer_chunks_in_use %u buffer_chunks_high_water "
        "%u buffer_pool_exhausted %u",
        tcp, chunks, high_water, exhausted);
    return out;
  }
};

}  // namespace

std::string FormatStatusLines(std::span<const unsigned> lcores,
                              std::span<const Snapshot> each,
                              uint32_t mbufs_in_use) {
  std::string out;
  StatusFigures sum;
  for (size_t i = 0; i < each.size(); ++i) {
    StatusFigures one;
    one.Add(each[i]);
    sum.Add(each[i]);
    absl::StrAppendFormat(&out, "status lcore %u:%s\n",
                          i < lcores.size() ? lcores[i] : i, one.Format());
  }
  absl::StrAppendFormat(&out, "status: mbufs_in_use %u%s\n", mbufs_in_use,
                        sum.Format());
  return out;
}

LcoreMonitor::LcoreMonitor(Config config, std::vector<unsigned> lcores,
                           std::vector<SnapshotMailbox*> mailboxes)
    : config_(std::move(config)),
      lcores_(std::move(lcores)),
      mailboxes_(std::move(mailboxes)),
      replies_(mailboxes_.size()),
      next_stats_(config_.stats_interval > Duration()
                      ? Instant::FromNanos(std::numeric_limits<int64_t>::min())
                      : Instant::Max()) {}

bool LcoreMonitor::enabled() const {
  return config_.stats_interval > Duration() ||
         static_cast<bool>(config_.take_status_request);
}

bool LcoreMonitor::AskAll() {
  for (size_t i = 0; i < mailboxes_.size(); ++i) {
    const auto deadline = std::chrono::steady_clock::now() + config_.wait;
    auto keep_waiting = [&] {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      return std::chrono::steady_clock::now() < deadline;
    };
    if (mailboxes_[i]->Ask({.kind = SnapshotKind::kCounters}, &replies_[i],
                           keep_waiting) != SnapshotMailbox::AskResult::kOk) {
      if (!warned_busy_) {
        std::fprintf(config_.out,
                     "monitor: lcore %u did not answer within %d ms; its "
                     "line is skipped\n",
                     lcores_[i], static_cast<int>(config_.wait.count()));
        std::fflush(config_.out);
        warned_busy_ = true;
      }
      return false;
    }
  }
  return true;
}

void LcoreMonitor::Step(Instant now) {
  if (config_.take_status_request && config_.take_status_request() &&
      AskAll()) {
    const uint32_t mbufs = config_.mbufs_in_use ? config_.mbufs_in_use() : 0;
    std::fprintf(config_.out, "%s",
                 FormatStatusLines(lcores_, replies_, mbufs).c_str());
    std::fflush(config_.out);
  }
  if (now < next_stats_) return;
  next_stats_ = now + config_.stats_interval;
  if (!AskAll()) return;
  StatsSample cur = SumStatsSample(now, replies_);
  if (sampled_) {
    std::fprintf(config_.out, "%s\n", FormatStatsLine(prev_, cur).c_str());
    std::fflush(config_.out);
  }
  sampled_ = true;
  prev_ = std::move(cur);
}

}  // namespace skiff
