// The start skiff-get and skiff-load share on several lcores (issue 10): an
// LcoreGroup on the host's port with a --pcap capture per lcore
// (LcoreCaptures), the link waited for (a warning if it stays down), every
// StackCore started, and "<name>: <port description>, lcores N" on stderr.
//
//   absl::StatusOr<StartedLcores> started =
//       StartLcores("skiff-get", host.lcore_config(), stack_config, n, now);
//   if (!started.ok()) ...;
//   LcoreGroup& group = *started->group;
//   ... group.Run(...) ...
//   started->captures->Finish(stderr);
#ifndef SKIFF_APPS_COMMON_LCORE_START_H_
#define SKIFF_APPS_COMMON_LCORE_START_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "apps/common/app_host.h"
#include "apps/common/lcore_group.h"
#include "apps/common/pcap_flags.h"
#include "stack/base/clock.h"
#include "stack/stack_config.h"

namespace skiff {

struct StartedLcores {
  // Declared first, so destroyed last: the group's devices are the
  // captures it points to.
  std::unique_ptr<LcoreCaptures> captures;
  std::unique_ptr<LcoreGroup> group;
};

// `host`: the host flags (port, mbufs, link wait, --stats_interval);
// `stack`: each lcore's StackConfig (the app's, from host.stack).
absl::StatusOr<StartedLcores> StartLcores(const std::string& name,
                                          const LcoreConfig& host,
                                          const StackConfig& stack, uint16_t n,
                                          Instant now);

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_LCORE_START_H_
