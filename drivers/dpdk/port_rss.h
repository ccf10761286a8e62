// RSS on a DPDK port (issue 10): skiff's symmetric Toeplitz key and a RETA
// that spreads buckets over the worker queues, so that both directions of a
// flow reach the queue of the lcore that owns it. What the PMD cannot do is
// detected here, at start-up, and said: then the lcores steer in software
// (drivers/dispatch) and RssStatus::hardware is false.
#ifndef SKIFF_DRIVERS_DPDK_PORT_RSS_H_
#define SKIFF_DRIVERS_DPDK_PORT_RSS_H_

#include <rte_ethdev.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "stack/base/rss.h"

namespace skiff {

struct RssStatus {
  // The port hashes TCP/IPv4 with skiff's key and our RETA: no dispatch.
  bool hardware = false;
  // Why not, or what was set: "key 40 B, RETA 128, fields ipv4,tcp,udp".
  std::string detail;
};

// Before rte_eth_dev_configure: whether this port can steer `queues`
// receive queues with `rss`'s key, and if so the rss_conf/mq_mode in
// `conf`. `rss_key` must outlive the configure call.
RssStatus PlanPortRss(const rte_eth_dev_info& info, uint16_t rx_queues,
                      uint16_t queues, const RssConfig& rss, uint8_t* rss_key,
                      rte_eth_conf* conf);

// After start: writes the RETA and reads key and RETA back (a PMD may
// accept a configuration and ignore it). An error means: dispatch in
// software.
absl::Status ApplyPortReta(uint16_t port, const RssSteering& rss);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DPDK_PORT_RSS_H_
