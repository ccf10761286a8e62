#include "drivers/dpdk/port_rss.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_format.h"

namespace skiff {
namespace {

// What skiff's steering hashes (drivers/rss/frame_hash.h): the 4-tuple of
// TCP/UDP over IPv4, the address pair of other IPv4.
constexpr uint64_t kTcp = RTE_ETH_RSS_NONFRAG_IPV4_TCP;
constexpr uint64_t kWanted =
    RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
    RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_OTHER;

}  // namespace

RssStatus PlanPortRss(const rte_eth_dev_info& info, uint16_t rx_queues,
                      uint16_t queues, const RssConfig& rss, uint8_t* rss_key,
                      rte_eth_conf* conf) {
  if (queues <= 1) return {.hardware = false, .detail = "one queue"};
  if (rx_queues < queues) {
    return {.detail = absl::StrFormat(
                "the port has %u receive queue(s) for %u lcores", rx_queues,
                queues)};
  }
  if ((info.flow_type_rss_offloads & kTcp) == 0) {
    return {.detail = "the PMD does not hash TCP/IPv4 4-tuples"};
  }
  if (info.hash_key_size != ToeplitzHash::kKeySize) {
    return {.detail = absl::StrFormat(
                "the PMD takes a %u-byte key, not a %u-byte Toeplitz key",
                info.hash_key_size, ToeplitzHash::kKeySize)};
  }
  if (info.reta_size == 0) {
    return {.detail = "the PMD has no redirection table"};
  }
  std::memcpy(rss_key, rss.key.data(), ToeplitzHash::kKeySize);
  conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
  conf->rx_adv_conf.rss_conf.rss_key = rss_key;
  conf->rx_adv_conf.rss_conf.rss_key_len = ToeplitzHash::kKeySize;
  conf->rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & kWanted;
  if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) != 0) {
    conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;  // hash in mbuf
  }
  return {.hardware = true,
          .detail = absl::StrFormat("key %u B, RETA %u, hash fields 0x%x",
                                    ToeplitzHash::kKeySize, info.reta_size,
                                    conf->rx_adv_conf.rss_conf.rss_hf)};
}

absl::Status ApplyPortReta(uint16_t port, const RssSteering& rss) {
  const auto reta = rss.reta();
  std::vector<rte_eth_rss_reta_entry64> conf(
      (reta.size() + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE);
  for (size_t i = 0; i < reta.size(); ++i) {
    auto& g = conf[i / RTE_ETH_RETA_GROUP_SIZE];
    g.mask |= uint64_t{1} << (i % RTE_ETH_RETA_GROUP_SIZE);
    g.reta[i % RTE_ETH_RETA_GROUP_SIZE] = reta[i];
  }
  const auto size = static_cast<uint16_t>(reta.size());
  if (int rc = rte_eth_dev_rss_reta_update(port, conf.data(), size); rc != 0) {
    return absl::UnavailableError(
        absl::StrFormat("rte_eth_dev_rss_reta_update: %s", rte_strerror(-rc)));
  }
  // Read both back: some PMDs take a configuration and keep their own.
  std::vector<rte_eth_rss_reta_entry64> got(conf.size());
  for (auto& g : got) g.mask = ~uint64_t{0};
  if (int rc = rte_eth_dev_rss_reta_query(port, got.data(), size); rc == 0) {
    for (size_t i = 0; i < reta.size(); ++i) {
      if (got[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] !=
          reta[i]) {
        return absl::UnavailableError(
            absl::StrFormat("RETA entry %u reads back wrong", i));
      }
    }
  }
  uint8_t key[ToeplitzHash::kKeySize] = {};
  rte_eth_rss_conf rss_conf{.rss_key = key, .rss_key_len = sizeof(key)};
  if (rte_eth_dev_rss_hash_conf_get(port, &rss_conf) == 0 &&
      std::memcmp(key, rss.hash().key().data(), sizeof(key)) != 0) {
    return absl::UnavailableError("the RSS key reads back different");
  }
  return absl::OkStatus();
}

}  // namespace skiff
