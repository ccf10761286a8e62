#include "apps/common/lcore_group.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "drivers/dpdk/lcores.h"
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
    g->stacks_.push_back(std::make_unique<StackCore>(*g->dispatch_.back(), sc));
  }
  return g;
}

LcoreGroup::~LcoreGroup() {
  stacks_.clear();
  dispatch_.clear();
  group_.reset();  // frees what is still in the rings
  port_.reset();
}

void LcoreGroup::Start(Instant now) {
  for (auto& s : stacks_) s->Start(now);
}

absl::Status LcoreGroup::Run(absl::FunctionRef<bool(uint16_t, Instant)> turn) {
  return RunOnLcores(size(), [&](uint16_t k) {
    MonotonicClock clock;
    while (turn(k, clock.Now())) {
    }
  });
}

std::string LcoreGroup::FormatDispatch() const {
  std::string out;
  for (uint16_t k = 0; k < size(); ++k) {
    const DispatchCounters c = dispatch_[k]->counters();
    absl::StrAppendFormat(&out,
                          "lcore %u dispatch: local %lu handed_off %lu "
                          "from_peers %lu ring_full %lu arp_copies %lu "
                          "copy_failed %lu\n",
                          k, c.local, c.handed_off, c.from_peers, c.ring_full,
                          c.arp_copies, c.copy_failed);
  }
  return out;
}

}  // namespace skiff
