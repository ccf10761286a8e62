#include "stack/stack_core.h"

#include <algorithm>
#include <span>
#include <utility>

#include "stack/net/eth_demux.h"
#include "stack/net/gro_stage.h"
#include "stack/sockets/flow_peek.h"
#include "stack/wire/ethernet.h"

namespace skiff {

StackCore::StackCore(Device& device, const StackConfig& config)
    : device_(device),
      config_(config),
      caps_(device.caps()),
      tx_(device, counters_.link, counters_.drops),
      arp_(config.arp, device.mac(),
           LocalAddresses(config.address.addr, config.extra_addresses),
           device.pool(), tx_, counters_.arp, counters_.drops),
      ipv4_({.address = config.address,
             .gateway = config.gateway,
             .ttl = config.ttl,
             .extra_addresses = config.extra_addresses},
            device, arp_, tx_, counters_.ip, counters_.drops),
      icmp_(config.icmp, ipv4_, device.pool(), counters_.icmp, counters_.drops),
      tcp_(config.tcp,
           LocalAddresses(config.address.addr, config.extra_addresses),
           device.mtu(), caps_.tx_tcp_checksum, device.pool(), ipv4_,
           counters_.drops, Instant()) {
  ipv4_.set_icmp(&icmp_);
  ipv4_.Register(IpProtocol::kIcmp, &icmp_);
  ipv4_.Register(IpProtocol::kTcp, &tcp_);
}

void StackCore::Start(Instant now) {
  now_ = now;
  if (config_.arp.gratuitous_on_start) arp_.Announce(now);
  tx_.Flush();
}

void StackCore::Poll(Instant now) {
  now_ = now;
  // 1. rx burst
  size_t n = device_.RxBurst(std::span<Packet>(rx_));
  counters_.link.rx_packets += n;  // frames as the device gave them
  for (size_t i = 0; i < n; ++i) counters_.link.rx_bytes += rx_[i].length();
  // rx_gro_chain_[i] is meaningful only after GroBurst ran.
  const bool gro = config_.gro && n > 1;
  if (gro) {
    n = GroBurst(std::span<Packet>(rx_), n, std::span<bool>(rx_gro_chain_),
                 counters_.link, counters_.drops);
  }
  if (n > 1) {  // one packet has nothing to overlap its lookup with
    for (size_t i = 0; i < n; ++i) {
      if (!rx_[i].is_contiguous() && !(gro && rx_gro_chain_[i])) continue;
      if (auto t = PeekTcpFlow(rx_[i].data())) tcp_.PrefetchFlow(*t);
    }
  }
  // 2. each packet through ethernet -> (arp | ipv4 -> (icmp | tcp))
  for (size_t i = 0; i < n; ++i) {
    Input(std::move(rx_[i]), now, gro && rx_gro_chain_[i]);
  }
  // 3. timers: ARP aging and retries; TCP retransmit, delayed ACK,
  //    persist, keepalive, TIME-WAIT
  arp_.Poll(now);
  tcp_.AdvanceTimers(now);
  // 4. readiness events to the application (it may Send/Close in there)
  tcp_.DeliverEvents(handler_, now);
  // 5. transmit poll: only the connections with something due
  tcp_.PollTransmit(now);
  // 6. tx flush
  tx_.Flush();
}

void StackCore::Input(Packet frame, Instant now, bool gro_chain) {
  // skiff handles single-segment packets, and GRO's chains (headers in the
  // first segment, payload taken span by span by TCP); other chains drop.
  if (!frame.is_contiguous() && !gro_chain) {
    counters_.drops.Add(DropReason::kRxMultiSegment);
    return;
  }
  const EthDemuxResult eth = EthDemux(frame.data(), device_.mac());
  switch (eth.target) {
    case EthTarget::kArp:
      ++counters_.link.rx_arp;
      arp_.Input(std::move(frame), now);
      return;
    case EthTarget::kIpv4:
      ++counters_.link.rx_ipv4;
      frame.TrimFront(EthernetRepr::kLen);
      ipv4_.Input(std::move(frame), eth.broadcast, now);
      return;
    case EthTarget::kDrop:
      counters_.drops.Add(eth.why);
      return;
  }
}

Instant StackCore::NextDeadline() const {
  return std::min(arp_.NextDeadline(), tcp_.NextDeadline());
}

ListenResult StackCore::Listen(uint16_t port, uint32_t backlog) {
  return tcp_.Listen(port, backlog);
}

StackCounters StackCore::counters() const {
  StackCounters c = counters_;
  c.tcp = tcp_.counters();
  return c;
}

void StackCore::RegisterHandler(uint8_t protocol, Ipv4Handler* handler) {
  if (protocol == IpProtocol::kIcmp) return;
  ipv4_.Register(protocol, handler);
}

std::string StackCore::FormatCounters() const {
  return skiff::FormatCounters(counters());
}

}  // namespace skiff
