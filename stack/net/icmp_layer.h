// ICMP (RFC 792; RFC 1122 §3.2.2): answers echo requests in place, sends
// rate-limited destination-unreachable errors, and hands the errors it
// receives about our own datagrams to the transport they quote (RFC 1122
// §3.2.2.1; validated as RFC 5927 §4 asks, see ErrorInput).
#ifndef SKIFF_STACK_NET_ICMP_LAYER_H_
#define SKIFF_STACK_NET_ICMP_LAYER_H_

#include <cstdint>

#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/net/ipv4_handler.h"
#include "stack/net/net_counters.h"
#include "stack/net/token_bucket.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"

namespace skiff {

class Ipv4Layer;

struct IcmpConfig {
  // Answer echo requests addressed to us (RFC 1122 §3.2.2.6 MUST).
  bool echo_reply = true;
  // Answer echo requests sent to a broadcast address (RFC 1122 §3.2.2.6
  // MAY discard them; Linux does by default).
  bool broadcast_echo_reply = false;
  // Token bucket for error messages (RFC 1122 §3.2.2 allows limiting them):
  // refill rate per second and burst.
  uint32_t error_rate_per_sec = 100;
  uint32_t error_burst = 10;
};

class IcmpLayer final : public Ipv4Handler {
 public:
  IcmpLayer(const IcmpConfig& config, Ipv4Layer& ip, PacketPool& pool,
            IcmpCounters& counters, DropCounters& drops);

  void Input(const Ipv4View& ip, Packet pkt, Instant now) override;

  // Destination unreachable about `original` (RFC 792 p.4: its header and
  // first 8 data bytes). The caller has checked RFC 1122 §3.2.2's rules on
  // when an error may be sent; this applies the rate limit
  // (kIcmpRateLimited when over it).
  void SendDestUnreachable(const Ipv4View& original, uint8_t code, Instant now);

 private:
  void EchoReply(const Ipv4View& ip, Packet pkt, Instant now);
  void ErrorInput(const Ipv4View& ip, const IcmpView& icmp, Instant now);

  IcmpConfig config_;
  Ipv4Layer& ip_;
  PacketPool& pool_;
  IcmpCounters& counters_;
  DropCounters& drops_;
  TokenBucket error_bucket_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_ICMP_LAYER_H_
