#include "drivers/dpdk/dpdk_port.h"

#include <rte_errno.h>
#include <rte_ethdev.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace skiff {
namespace {

constexpr size_t kMaxBurst = 64;

absl::Status RteError(std::string_view what, uint16_t port, int rc) {
  return absl::InternalError(absl::StrFormat("port %u: %s: %s", port, what,
                                             rte_strerror(rc < 0 ? -rc : rc)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<DpdkPort>> DpdkPort::Open(
    const DpdkPortConfig& config) {
  const uint16_t port = config.port_id;
  if (!rte_eth_dev_is_valid_port(port)) {
    return absl::NotFoundError(absl::StrFormat("no DPDK port %u (%u available)",
                                               port, DpdkPortCount()));
  }
  rte_eth_dev_info info;
  if (int rc = rte_eth_dev_info_get(port, &info); rc != 0) {
    return RteError("rte_eth_dev_info_get", port, rc);
  }

  PacketPoolConfig pool_config = config.pool;
  pool_config.name = absl::StrFormat("%s_p%u", config.pool.name, port);
  auto pool = PacketPool::Create(pool_config);
  if (!pool.ok()) return pool.status();
  std::unique_ptr<DpdkPort> p(new DpdkPort(port, std::move(*pool)));
  p->driver_name_ = info.driver_name != nullptr ? info.driver_name : "?";

  // Checksum offloads only where the port offers them; the stack does the
  // rest in software (DESIGN.md, Drivers).
  rte_eth_conf conf{};
  if (config.use_offloads) {
    const uint64_t rx_ip = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
    const uint64_t rx_tcp = RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
    const uint64_t tx_ip = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
    const uint64_t tx_tcp = RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
    conf.rxmode.offloads = info.rx_offload_capa & (rx_ip | rx_tcp);
    conf.txmode.offloads = info.tx_offload_capa & (tx_ip | tx_tcp);
    p->caps_.rx_ipv4_checksum = (conf.rxmode.offloads & rx_ip) != 0;
    p->caps_.rx_tcp_checksum = (conf.rxmode.offloads & rx_tcp) != 0;
    p->caps_.tx_ipv4_checksum = (conf.txmode.offloads & tx_ip) != 0;
    p->caps_.tx_tcp_checksum = (conf.txmode.offloads & tx_tcp) != 0;
  }
  // Issue 10: a queue pair per lcore, RSS with skiff's key where possible.
  const uint16_t queues = std::max<uint16_t>(config.queues, 1);
  if (info.max_tx_queues < queues) {
    return absl::InvalidArgumentError(
        absl::StrFormat("port %u (%s): %u transmit queues, %u lcores", port,
                        p->driver_name_, info.max_tx_queues, queues));
  }
  const uint16_t rx_queues = std::min(queues, info.max_rx_queues);
  uint8_t rss_key[ToeplitzHash::kKeySize];
  p->rss_status_ =
      PlanPortRss(info, rx_queues, queues, config.rss, rss_key, &conf);
  RssConfig rss = config.rss;
  rss.queues = queues;
  if (p->rss_status_.hardware) rss.reta_size = info.reta_size;
  p->rss_ = std::make_unique<RssSteering>(rss);
  int rc = rte_eth_dev_configure(port, rx_queues, queues, &conf);
  if (rc != 0 && p->rss_status_.hardware) {
    // A PMD may advertise RSS yet refuse it here: go on without it, and
    // let the lcores dispatch in software.
    p->rss_status_ = {
        .detail = absl::StrFormat("rte_eth_dev_configure refused RSS: %s",
                                  rte_strerror(rc < 0 ? -rc : rc))};
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
    conf.rx_adv_conf.rss_conf = {};
    conf.rxmode.offloads &= ~RTE_ETH_RX_OFFLOAD_RSS_HASH;
    rss.reta_size = config.rss.reta_size;
    p->rss_ = std::make_unique<RssSteering>(rss);
    rc = rte_eth_dev_configure(port, rx_queues, queues, &conf);
  }
  if (rc != 0) return RteError("rte_eth_dev_configure", port, rc);
  p->configured_ = true;
  for (uint16_t q = 0; q < queues; ++q) {
    p->queues_.emplace_back(new Queue(*p, q, q < rx_queues));
  }

  uint16_t nb_rxd = config.rx_descriptors;
  uint16_t nb_txd = config.tx_descriptors;
  if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
      rc != 0) {
    return RteError("rte_eth_dev_adjust_nb_rx_tx_desc", port, rc);
  }
  const int socket = rte_eth_dev_socket_id(port);
  rte_eth_rxconf rxconf = info.default_rxconf;
  rxconf.offloads = conf.rxmode.offloads;
  for (uint16_t q = 0; q < rx_queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(port, q, nb_rxd, socket, &rxconf,
                                        p->pool_->raw());
        rc != 0) {
      return RteError("rte_eth_rx_queue_setup", port, rc);
    }
  }
  rte_eth_txconf txconf = info.default_txconf;
  txconf.offloads = conf.txmode.offloads;
  for (uint16_t q = 0; q < queues; ++q) {
    if (int rc = rte_eth_tx_queue_setup(port, q, nb_txd, socket, &txconf);
        rc != 0) {
      return RteError("rte_eth_tx_queue_setup", port, rc);
    }
  }

  if (int rc = rte_eth_dev_get_mtu(port, &p->mtu_); rc != 0) {
    return RteError("rte_eth_dev_get_mtu", port, rc);
  }
  rte_ether_addr addr;
  if (int rc = rte_eth_macaddr_get(port, &addr); rc != 0) {
    return RteError("rte_eth_macaddr_get", port, rc);
  }
  if (rte_is_zero_ether_addr(&addr)) {
    // Some vdevs (net_ring, net_null) have no address; a stack cannot use
    // 00:00:00:00:00:00, so pick a random locally administered one.
    rte_eth_random_addr(addr.addr_bytes);
    // A PMD that cannot take it filters nothing by address either: fine.
    (void)rte_eth_dev_default_mac_addr_set(port, &addr);
  }
  p->mac_ = MacAddress(std::to_array(addr.addr_bytes));
  if (config.promiscuous) {
    if (int rc = rte_eth_promiscuous_enable(port); rc != 0) {
      return RteError("rte_eth_promiscuous_enable", port, rc);
    }
  }
  if (int rc = rte_eth_dev_start(port); rc != 0) {
    return RteError("rte_eth_dev_start", port, rc);
  }
  p->started_ = true;
  if (p->rss_status_.hardware) {
    if (absl::Status st = ApplyPortReta(port, *p->rss_); !st.ok()) {
      p->rss_status_ = {.hardware = false, .detail = st.ToString()};
    }
  }
  return p;
}

DpdkPort::~DpdkPort() {
  // The rx ring holds mbufs of pool_: stop and close before the pool goes.
  if (started_) rte_eth_dev_stop(port_id_);
  if (configured_) rte_eth_dev_close(port_id_);
}

size_t DpdkPort::Queue::RxBurst(std::span<Packet> out) {
  if (!rx_) return 0;
  rte_mbuf* bufs[kMaxBurst];
  size_t done = 0;
  while (done < out.size()) {
    const uint16_t want =
        static_cast<uint16_t>(std::min(kMaxBurst, out.size() - done));
    const uint16_t n = rte_eth_rx_burst(port_.port_id_, index_, bufs, want);
    for (uint16_t i = 0; i < n; ++i) out[done + i] = Packet(bufs[i]);
    done += n;
    if (n < want) break;
  }
  return done;
}

size_t DpdkPort::Queue::TxBurst(std::span<Packet> pkts) {
  rte_mbuf* bufs[kMaxBurst];
  size_t done = 0;
  while (done < pkts.size()) {
    const uint16_t want =
        static_cast<uint16_t>(std::min(kMaxBurst, pkts.size() - done));
    for (uint16_t i = 0; i < want; ++i) bufs[i] = pkts[done + i].mbuf();
    // The Packets keep ownership until the PMD has taken the mbufs.
    const uint16_t ready =
        rte_eth_tx_prepare(port_.port_id_, index_, bufs, want);
    const uint16_t sent = rte_eth_tx_burst(port_.port_id_, index_, bufs, ready);
    for (uint16_t i = 0; i < sent; ++i) pkts[done + i].Release();
    done += sent;
    if (sent < ready) break;  // the tx ring is full: back-pressure
    if (ready < want) {
      // pkts[done] can never be sent (bad offload request): drop it rather
      // than block the queue behind it.
      pkts[done].Reset();
      ++tx_prepare_dropped_;
      ++done;
    }
  }
  return done;
}

size_t DpdkPort::RxBurst(std::span<Packet> out) {
  return queues_[0]->RxBurst(out);
}

size_t DpdkPort::TxBurst(std::span<Packet> pkts) {
  return queues_[0]->TxBurst(pkts);
}

bool DpdkPort::link_up() const {
  rte_eth_link link{};
  if (rte_eth_link_get_nowait(port_id_, &link) != 0) return false;
  return link.link_status == RTE_ETH_LINK_UP;
}

bool DpdkPort::WaitForLink(Duration timeout) {
  MonotonicClock clock;
  const Instant deadline = clock.Now() + timeout;
  while (!link_up()) {
    if (clock.Now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string DpdkPort::Describe() const {
  rte_eth_link link{};
  rte_eth_link_get_nowait(port_id_, &link);
  std::vector<std::string> offloads;
  if (caps_.rx_ipv4_checksum) offloads.push_back("rx-ipv4");
  if (caps_.rx_tcp_checksum) offloads.push_back("rx-tcp");
  if (caps_.tx_ipv4_checksum) offloads.push_back("tx-ipv4");
  if (caps_.tx_tcp_checksum) offloads.push_back("tx-tcp");
  std::string out = absl::StrFormat(
      "port %u (%s) %s mtu %u link %s %u Mbps offloads %s", port_id_,
      driver_name_, mac_.ToString(), mtu_,
      link.link_status == RTE_ETH_LINK_UP ? "up" : "down", link.link_speed,
      offloads.empty() ? "none" : absl::StrJoin(offloads, ","));
  if (queues_.size() > 1) {
    absl::StrAppendFormat(&out, " queues %u rss %s (%s)", queues_.size(),
                          rss_status_.hardware ? "hardware" : "software",
                          rss_status_.detail);
  }
  return out;
}

DpdkPort::Stats DpdkPort::stats() const {
  rte_eth_stats s{};
  Stats out;
  if (rte_eth_stats_get(port_id_, &s) == 0) {
    out.ipackets = s.ipackets;
    out.opackets = s.opackets;
    out.ibytes = s.ibytes;
    out.obytes = s.obytes;
    out.imissed = s.imissed;
    out.ierrors = s.ierrors;
    out.oerrors = s.oerrors;
    out.rx_nombuf = s.rx_nombuf;
  }
  for (const auto& q : queues_)
    out.tx_prepare_dropped += q->tx_prepare_dropped_;
  return out;
}

uint16_t DpdkPortCount() { return rte_eth_dev_count_avail(); }

absl::StatusOr<uint16_t> DpdkPortByName(std::string_view name) {
  uint16_t port = 0;
  const std::string n(name);
  if (rte_eth_dev_get_port_by_name(n.c_str(), &port) != 0) {
    return absl::NotFoundError(absl::StrFormat("no DPDK port named %s", n));
  }
  return port;
}

}  // namespace skiff
