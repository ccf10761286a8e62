#include "apps/common/lcore_group.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "apps/common/lcore_monitor.h"
#include "drivers/dpdk/lcores.h"
#include "drivers/dpdk/telemetry.h"
#include "stack/base/clock.h"

namespace skiff {

uint16_t StackLcores(const std::vector<std::string>& eal_args) {
  for (const std::string& a : eal_args) {
    if (a.starts_with("-l") || a.starts_with("-c") ||
        a.starts_with("--lcores")) {
      return EalLcoreCount();
    }
  }
  return 1;
}

std::string FormatSummedCounters(const std::vector<StackCounters>& each) {
  // VisitCounters walks in a fixed order: the i-th name is the same for
  // every lcore.
  std::vector<std::pair<std::string, uint64_t>> sum;
  for (const StackCounters& c : each) {
    size_t i = 0;
    VisitCounters(c, [&](std::string_view name, uint64_t v) {
      if (i == sum.size()) sum.emplace_back(std::string(name), 0);
      sum[i++].second += v;
    });
  }
  std::string out;
  for (const auto& [name, v] : sum) {
    if (v != 0) absl::StrAppendFormat(&out, "%-32s %d\n", name, v);
  }
  return out;
}

std::string SumCounterLines(const std::vector<std::string>& blocks) {
  std::vector<std::pair<std::string, uint64_t>> sum;  // in first-seen order
  std::vector<bool> numeric;
  absl::flat_hash_map<std::string, size_t> index;
  for (const std::string& block : blocks) {
    for (absl::string_view line :
         absl::StrSplit(block, '\n', absl::SkipEmpty())) {
      const size_t sp = line.find_last_of(' ');
      uint64_t v = 0;
      const bool num = sp != absl::string_view::npos &&
                       absl::SimpleAtoi(line.substr(sp + 1), &v);
      const std::string name(
          num ? absl::StripTrailingAsciiWhitespace(line.substr(0, sp)) : line);
      auto [it, fresh] = index.try_emplace(name, sum.size());
      if (fresh) {
        sum.emplace_back(name, 0);
        numeric.push_back(num);
      }
      sum[it->second].second += v;
    }
  }
  std::string out;
  for (size_t i = 0; i < sum.size(); ++i) {
    if (numeric[i]) {
      absl::StrAppend(&out, sum[i].first, " ", sum[i].second, "\n");
    } else {
      absl::StrAppend(&out, sum[i].first, "\n");
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<LcoreGroup>> LcoreGroup::Open(
    const LcoreGroupConfig& config) {
  const uint16_t n = std::max<uint16_t>(config.lcores, 1);
  std::unique_ptr<LcoreGroup> g(new LcoreGroup());
  DpdkPortConfig pc;
  pc.port_id = config.dpdk_port;
  pc.pool.size = config.mbufs;
  pc.queues = n;
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(pc);
  if (!port.ok()) return port.status();
  g->port_ = std::move(*port);
  DispatchConfig dc = config.dispatch;
  dc.port_hash_is_ours = g->port_->rss_status().hardware;
  absl::StatusOr<std::unique_ptr<DispatchGroup>> group =
      DispatchGroup::Create(g->port_->rss(), dc);
  if (!group.ok()) return group.status();
  g->group_ = std::move(*group);
  for (uint16_t k = 0; k < n; ++k) {
    g->dispatch_.push_back(
        std::make_unique<DispatchDevice>(*g->group_, k, g->port_->queue(k)));
    StackConfig sc = config.stack;
    if (n > 1) {
      g->choosers_.push_back(std::make_unique<RssPortChooser>(
          g->port_->rss(), k, sc.tcp.ephemeral_first, sc.tcp.ephemeral_last));
      sc.tcp.port_chooser = g->choosers_.back().get();
    }
    Device* device = g->dispatch_.back().get();
    if (config.wrap) {
      if (std::unique_ptr<Device> w = config.wrap(*device, k)) {
        device = w.get();
        g->wrappers_.push_back(std::move(w));
      }
    }
    g->stacks_.push_back(std::make_unique<StackCore>(*device, sc));
    g->mailboxes_.push_back(std::make_unique<SnapshotMailbox>());
  }
  g->stats_interval_ = config.stats_interval;
  g->take_status_request_ = config.take_status_request;
  return g;
}

LcoreGroup::~LcoreGroup() {
  stacks_.clear();
  wrappers_.clear();
  dispatch_.clear();
  group_.reset();  // frees what is still in the rings
  port_.reset();
}

void LcoreGroup::Start(Instant now) {
  for (auto& s : stacks_) s->Start(now);
}

absl::Status LcoreGroup::Run(absl::FunctionRef<bool(uint16_t, Instant)> turn) {
  const uint16_t n = size();
  std::vector<unsigned> lcore_ids(n);
  std::atomic<int> registered{0};
  std::atomic<bool> leaving{false};   // an lcore left its loop
  std::atomic<uint16_t> finished{0};  // lcores whose turn said false
  PacketPool& pool = stacks_[0]->pool();
  LcoreMonitor::Config mc{.stats_interval = stats_interval_,
                          .take_status_request = take_status_request_,
                          .mbufs_in_use = [&pool] { return pool.in_use(); }};
  std::thread monitor;
  if (mc.stats_interval > Duration() || mc.take_status_request) {
    monitor = std::thread([&] {
      while (registered.load(std::memory_order_acquire) < n) {
        if (leaving.load(std::memory_order_relaxed)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::vector<SnapshotMailbox*> boxes;
      for (auto& m : mailboxes_) boxes.push_back(m.get());
      LcoreMonitor m(mc, lcore_ids, std::move(boxes));
      MonotonicClock clock;
      while (!leaving.load(std::memory_order_relaxed)) {
        m.Step(clock.Now());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  absl::Status status = RunOnLcores(n, [&](uint16_t k) {
    SnapshotMailbox& mailbox = *mailboxes_[k];
    StackCore& stack = *stacks_[k];
    // Registered while this lcore polls, under its EAL lcore id, so that
    // /skiff/stacks lists the lcores by the ids -l gave them.
    lcore_ids[k] = CurrentLcore();
    std::unique_ptr<TelemetryRegistration> telemetry =
        TelemetryRegistration::Register(lcore_ids[k], &mailbox);
    registered.fetch_add(1, std::memory_order_release);
    MonotonicClock clock;
    for (;;) {
      const Instant now = clock.Now();
      if (!turn(k, now)) break;
      mailbox.Poll(stack, now);
    }
    // The monitor stops; a telemetry command that asks this lcore from now
    // until `telemetry` unregisters it answers "busy" after kTelemetryWait.
    leaving.store(true, std::memory_order_relaxed);
    // Where the port does not steer, queue k also receives other lcores'
    // packets (af_packet's fanout, tap): lcore k must go on polling and
    // handing them over until every lcore is done, or a peer still
    // draining never sees the SYN-ACK the kernel put on queue k.
    finished.fetch_add(1, std::memory_order_acq_rel);
    while (finished.load(std::memory_order_acquire) < n)
      stack.Poll(clock.Now());
  });
  leaving.store(true, std::memory_order_relaxed);
  if (monitor.joinable()) monitor.join();
  return status;
}

std::string LcoreGroup::FormatCounters() const {
  std::vector<StackCounters> each;
  for (const auto& s : stacks_) each.push_back(s->counters());
  return FormatSummedCounters(each);
}

std::string LcoreGroup::FormatDispatch() const {
  std::string out;
  for (uint16_t k = 0; k < size(); ++k) {
    const DispatchCounters c = dispatch_[k]->counters();
    absl::StrAppendFormat(&out,
                          "lcore %u dispatch: local %lu handed_off %lu "
                          "from_peers %lu ring_full %lu arp_copies %lu "
                          "copy_failed %lu icmp_by_quote %lu\n",
                          k, c.local, c.handed_off, c.from_peers, c.ring_full,
                          c.arp_copies, c.copy_failed, c.icmp_by_quote);
  }
  return out;
}

}  // namespace skiff
