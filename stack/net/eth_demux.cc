#include "stack/net/eth_demux.h"

#include "stack/wire/ethernet.h"

namespace skiff {

EthDemuxResult EthDemux(ConstByteSpan frame, MacAddress our_mac) {
  EthDemuxResult r;
  auto eth = EthernetView::Parse(frame, &r.why);
  if (!eth) return r;
  if (eth->has_vlan()) {
    r.why = DropReason::kEthVlan;
    return r;
  }
  const MacAddress dst = eth->dst();
  r.broadcast = dst.IsBroadcast();
  if (dst != our_mac && !r.broadcast) {
    r.why = DropReason::kEthNotForUs;
    return r;
  }
  switch (eth->ethertype()) {
    case EtherType::kArp:
      r.target = EthTarget::kArp;
      break;
    case EtherType::kIpv4:
      r.target = EthTarget::kIpv4;
      break;
    default:
      r.why = DropReason::kEthUnknownType;
      break;
  }
  return r;
}

}  // namespace skiff
