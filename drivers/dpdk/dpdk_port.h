// DpdkPort: a Device over one DPDK ethdev port (any PMD: a NIC by PCI
// address, or a vdev such as net_af_packet, net_tap, net_ring, net_pcap).
// Needs a running EAL (drivers/dpdk/eal.h). With DpdkPortConfig::queues = N
// it has N queue pairs, queue(k) being the Device of lcore k's StackCore, and
// RSS configured with skiff's key and RETA where the PMD can (rss_status()
// says; drivers/dpdk/port_rss.h). The port itself, as a Device, is queue 0.
#ifndef SKIFF_DRIVERS_DPDK_DPDK_PORT_H_
#define SKIFF_DRIVERS_DPDK_DPDK_PORT_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "drivers/dpdk/port_rss.h"
#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/base/rss.h"
#include "stack/buf/packet_pool.h"

namespace skiff {

struct DpdkPortConfig {
  uint16_t port_id = 0;
  uint16_t rx_descriptors = 1024;  // adjusted to the device's limits
  uint16_t tx_descriptors = 1024;
  // Mbufs for rx and tx. The pool is named "<pool.name>_p<port_id>" so that
  // several ports never collide.
  PacketPoolConfig pool;
  bool use_offloads = true;  // enable the checksum offloads the port reports
  bool promiscuous = false;
  // Queue pairs, one per lcore. The port may have fewer receive queues
  // (queue(k) then receives nothing; software dispatch shares the rest) but
  // needs a transmit queue per lcore.
  uint16_t queues = 1;
  // Key and RETA for more than one queue; `queues` wins over rss.queues and
  // the RETA takes the device's size.
  RssConfig rss;
};

class DpdkPort final : public Device {
 public:
  // One queue pair: the Device of one lcore's StackCore. Use it from that
  // lcore.
  class Queue final : public Device {
   public:
    size_t RxBurst(std::span<Packet> out) override;
    size_t TxBurst(std::span<Packet> pkts) override;
    MacAddress mac() const override { return port_.mac(); }
    uint16_t mtu() const override { return port_.mtu(); }
    DeviceCaps caps() const override { return port_.caps(); }
    PacketPool& pool() override { return port_.pool(); }
    uint16_t index() const { return index_; }

   private:
    friend class DpdkPort;
    Queue(DpdkPort& port, uint16_t index, bool rx)
        : port_(port), index_(index), rx_(rx) {}
    DpdkPort& port_;
    uint16_t index_;
    bool rx_;  // the port has a receive queue of this index
    uint64_t tx_prepare_dropped_ = 0;
  };

  // Configures, sets up the queues and starts the port.
  static absl::StatusOr<std::unique_ptr<DpdkPort>> Open(
      const DpdkPortConfig& config);
  // Stops and closes the port, then frees the pool: every Packet from it
  // must be gone by then.
  ~DpdkPort() override;
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;

  // Device. RxBurst hands over everything the PMD delivers (no filtering).
  // TxBurst runs rte_eth_tx_prepare then rte_eth_tx_burst; a packet that
  // tx_prepare rejects (it could never be sent) is freed and counted in
  // stats().tx_prepare_dropped, and counts as consumed.
  size_t RxBurst(std::span<Packet> out) override;
  size_t TxBurst(std::span<Packet> pkts) override;
  MacAddress mac() const override { return mac_; }
  uint16_t mtu() const override { return mtu_; }
  DeviceCaps caps() const override { return caps_; }  // what was enabled
  PacketPool& pool() override { return *pool_; }

  uint16_t queues() const { return static_cast<uint16_t>(queues_.size()); }
  Queue& queue(uint16_t k) { return *queues_[k]; }
  // How flows are spread over the queues: the port's own RSS when
  // rss_status().hardware, what software dispatch must compute otherwise.
  const RssSteering& rss() const { return *rss_; }
  const RssStatus& rss_status() const { return rss_status_; }

  uint16_t port_id() const { return port_id_; }
  const std::string& driver_name() const { return driver_name_; }
  bool link_up() const;
  // Polls the link status every 10 ms until it is up or `timeout` passed.
  bool WaitForLink(Duration timeout);
  // "port 0 (net_af_packet) 02:00:00:00:00:01 mtu 1500 link up 10000 Mbps
  //  offloads rx-ipv4,rx-tcp,tx-ipv4,tx-tcp"
  std::string Describe() const;

  struct Stats {
    uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
    uint64_t imissed = 0, ierrors = 0, oerrors = 0, rx_nombuf = 0;
    uint64_t tx_prepare_dropped = 0;  // ours, not the device's
  };
  Stats stats() const;  // rte_eth_stats_get + our own

 private:
  DpdkPort(uint16_t port_id, std::unique_ptr<PacketPool> pool)
      : port_id_(port_id), pool_(std::move(pool)) {}

  uint16_t port_id_;
  std::unique_ptr<PacketPool> pool_;  // outlives the port (see ~DpdkPort)
  bool configured_ = false;           // rte_eth_dev_close() it when done
  bool started_ = false;
  MacAddress mac_;
  uint16_t mtu_ = 1500;
  DeviceCaps caps_;
  std::string driver_name_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::unique_ptr<RssSteering> rss_;
  RssStatus rss_status_;
};

// Ports the EAL probed (rte_eth_dev_count_avail()).
uint16_t DpdkPortCount();

// The port id of a device by its name: "0000:01:00.0", "net_af_packet0".
absl::StatusOr<uint16_t> DpdkPortByName(std::string_view name);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DPDK_DPDK_PORT_H_
