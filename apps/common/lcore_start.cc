#include "apps/common/lcore_start.h"

#include <cstdio>
#include <utility>

namespace skiff {

absl::StatusOr<StartedLcores> StartLcores(const std::string& name,
                                          const LcoreConfig& host,
                                          const StackConfig& stack, uint16_t n,
                                          Instant now) {
  StartedLcores s;
  s.captures = std::make_unique<LcoreCaptures>(n);  // --pcap: a file per lcore
  LcoreCaptures& captures = *s.captures;
  absl::StatusOr<std::unique_ptr<LcoreGroup>> opened = LcoreGroup::Open(
      {.dpdk_port = host.dpdk_port,
       .mbufs = host.mbufs,
       .lcores = n,
       .stack = stack,
       .wrap = [&](Device& d, uint16_t k) { return captures.Wrap(d, k); },
       .stats_interval = host.stats_interval});
  if (!opened.ok()) return opened.status();
  if (!captures.status().ok()) return captures.status();
  s.group = std::move(*opened);
  if (!s.group->port().WaitForLink(host.link_wait)) {
    std::fprintf(stderr, "%s: warning: link still down\n", name.c_str());
  }
  s.group->Start(now);
  std::fprintf(stderr, "%s: %s, lcores %u\n", name.c_str(),
               s.group->port().Describe().c_str(), n);
  return s;
}

}  // namespace skiff
