// Everything a StackCore counts: per-layer counters plus drops by reason.
// Printable nstat-style ("name value" lines) and queryable by name.
#ifndef SKIFF_STACK_COUNTERS_H_
#define SKIFF_STACK_COUNTERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stack/base/drop_reason.h"
#include "stack/net/net_counters.h"
#include "stack/tcp/tcp_counters.h"

namespace skiff {

struct StackCounters {
  LinkCounters link;
  ArpCounters arp;
  Ipv4Counters ip;
  IcmpCounters icmp;
  TcpCounters tcp;
  DropCounters drops;
};

// Calls f(name, value) for every counter, zero or not, in a fixed order.
// Names are "<layer>_<field>" ("ip_in_receives") and "drop_<reason>"
// ("drop_ip_bad_checksum").
template <typename F>
void VisitCounters(const StackCounters& c, F&& f) {
#define SKIFF_C(layer, field) f(#layer "_" #field, c.layer.field)
  SKIFF_C(link, rx_packets);
  SKIFF_C(link, rx_bytes);
  SKIFF_C(link, tx_packets);
  SKIFF_C(link, tx_bytes);
  SKIFF_C(link, rx_arp);
  SKIFF_C(link, rx_ipv4);
  SKIFF_C(link, rx_gro_frames);
  SKIFF_C(link, rx_gro_super_segments);
  SKIFF_C(arp, requests_in);
  SKIFF_C(arp, replies_in);
  SKIFF_C(arp, requests_out);
  SKIFF_C(arp, replies_out);
  SKIFF_C(arp, gratuitous_out);
  SKIFF_C(arp, learned);
  SKIFF_C(arp, updated);
  SKIFF_C(arp, resolved);
  SKIFF_C(arp, expired);
  SKIFF_C(arp, gave_up);
  SKIFF_C(arp, parked);
  SKIFF_C(arp, incomplete);
  SKIFF_C(ip, in_receives);
  SKIFF_C(ip, in_delivers);
  SKIFF_C(ip, out_requests);
  SKIFF_C(ip, out_packets);
  SKIFF_C(icmp, in_msgs);
  SKIFF_C(icmp, in_echos);
  SKIFF_C(icmp, out_echo_reps);
  SKIFF_C(icmp, out_dest_unreachs);
  SKIFF_C(icmp, in_dest_unreachs);
  SKIFF_C(icmp, in_time_excds);
  SKIFF_C(icmp, in_parm_probs);
  SKIFF_C(icmp, in_src_quenchs);
  SKIFF_C(icmp, in_errors_delivered);
  SKIFF_C(tcp, active_opens);
  SKIFF_C(tcp, passive_opens);
  SKIFF_C(tcp, accepts);
  SKIFF_C(tcp, established);
  SKIFF_C(tcp, attempt_fails);
  SKIFF_C(tcp, resets_in);
  SKIFF_C(tcp, resets_out);
  SKIFF_C(tcp, timeouts_closed);
  SKIFF_C(tcp, segs_in);
  SKIFF_C(tcp, segs_out);
  SKIFF_C(tcp, time_wait_reused);
  SKIFF_C(tcp, icmp_errors_in);
  SKIFF_C(tcp, icmp_errors_rejected);
  SKIFF_C(tcp, pmtu_mss_lowered);
  SKIFF_C(tcp, retransmits);
  SKIFF_C(tcp, fast_retransmits);
  SKIFF_C(tcp, rto_expirations);
  SKIFF_C(tcp, out_of_order);
  SKIFF_C(tcp, dup_acks);
  SKIFF_C(tcp, challenge_acks);
  SKIFF_C(tcp, zero_window_probes);
  SKIFF_C(tcp, bytes_in);
  SKIFF_C(tcp, bytes_out);
  SKIFF_C(tcp, connections);
  SKIFF_C(tcp, listeners);
  SKIFF_C(tcp, lost_retransmits);
  SKIFF_C(tcp, loss_probes);
  SKIFF_C(tcp, syncookies_sent);
  SKIFF_C(tcp, syncookies_validated);
  SKIFF_C(tcp, syncookies_failed);
#undef SKIFF_C
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    const auto r = static_cast<DropReason>(i);
    std::string name = "drop_";
    name += DropReasonName(r);
    f(std::string_view(name), c.drops[r]);
  }
  f(std::string_view("drop_total"), c.drops.Total());
}

// "name value" lines, nonzero counters only, names padded like nstat's.
std::string FormatCounters(const StackCounters& c);

// The value of the counter called `name`, or nullopt if there is none.
std::optional<uint64_t> FindCounter(const StackCounters& c,
                                    std::string_view name);

}  // namespace skiff

#endif  // SKIFF_STACK_COUNTERS_H_
