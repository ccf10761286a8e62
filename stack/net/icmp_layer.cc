#include "stack/net/icmp_layer.h"

#include <algorithm>
#include <utility>

#include "stack/net/ipv4_layer.h"
#include "stack/wire/checksum.h"

namespace skiff {

IcmpLayer::IcmpLayer(const IcmpConfig& config, Ipv4Layer& ip, PacketPool& pool,
                     IcmpCounters& counters, DropCounters& drops)
    : config_(config),
      ip_(ip),
      pool_(pool),
      counters_(counters),
      drops_(drops),
      error_bucket_(config.error_rate_per_sec, config.error_burst) {}

void IcmpLayer::Input(const Ipv4View& ip, Packet pkt, Instant now) {
  DropReason why{};
  auto icmp = IcmpView::Parse(pkt.data(), &why);
  if (!icmp) {
    drops_.Add(why);
    return;
  }
  // No NIC verifies ICMP checksums: always in software (RFC 792).
  if (!icmp->ChecksumValid()) {
    drops_.Add(DropReason::kIcmpBadChecksum);
    return;
  }
  ++counters_.in_msgs;
  switch (icmp->type()) {
    case IcmpType::kEchoRequest:
      if (config_.echo_reply &&
          (ip.dst() == ip_.address() || config_.broadcast_echo_reply)) {
        ++counters_.in_echos;
        EchoReply(ip, std::move(pkt), now);
        return;
      }
      break;
    case IcmpType::kDestUnreachable:
      ++counters_.in_dest_unreachs;
      ErrorInput(ip, *icmp, now);
      return;
    case IcmpType::kTimeExceeded:
      ++counters_.in_time_excds;
      ErrorInput(ip, *icmp, now);
      return;
    case IcmpType::kParameterProblem:
      ++counters_.in_parm_probs;
      ErrorInput(ip, *icmp, now);
      return;
    case IcmpType::kSourceQuench:
      // RFC 6633: deprecated, silently discarded (a forged one would
      // otherwise throttle any connection).
      ++counters_.in_src_quenchs;
      drops_.Add(DropReason::kIcmpSourceQuench);
      return;
    default:
      break;
  }
  drops_.Add(DropReason::kIcmpUnhandledType);
}

// An error about a datagram we sent (RFC 1122 §3.2.2.1): the quote must
// name one of ours (RFC 5927 §4: IPv4 header, our address as its source,
// 8 transport bytes), then the transport registered for the quoted
// protocol takes it and checks the rest (its 4-tuple, and for TCP the
// sequence number, RFC 5927 §4.1). Nothing is sent back.
void IcmpLayer::ErrorInput(const Ipv4View& ip, const IcmpView& icmp,
                           Instant now) {
  // Only a unicast error can concern one of our datagrams: errors go to
  // the offending datagram's source, never a broadcast (RFC 1122 §3.2.2;
  // Linux drops them too).
  if (!ip_.IsLocal(ip.dst())) {
    drops_.Add(DropReason::kIcmpErrorBroadcast);
    return;
  }
  DropReason why{};
  auto quote = IcmpQuoteView::Parse(icmp.payload(), &why);
  if (!quote) {
    drops_.Add(why);
    return;
  }
  if (!ip_.IsLocal(quote->src())) {
    drops_.Add(DropReason::kIcmpQuoteNotOurs);
    return;
  }
  IcmpError err{.type = icmp.type(),
                .code = icmp.code(),
                .reporter = ip.src(),
                .local = quote->src(),
                .remote = quote->dst(),
                .protocol = quote->protocol(),
                .transport = quote->transport()};
  if (err.type == IcmpType::kDestUnreachable &&
      err.code == IcmpUnreachCode::kFragNeeded) {
    // RFC 1191 §5: no next-hop MTU from an old router: estimate it.
    err.mtu = icmp.next_hop_mtu() != 0
                  ? icmp.next_hop_mtu()
                  : Rfc1191PlateauBelow(quote->total_length());
  }
  Ipv4Handler* h = ip_.handler(err.protocol);
  if (h == nullptr || !h->OnIcmpError(err, now)) {
    drops_.Add(DropReason::kIcmpNoHandler);
    return;
  }
  ++counters_.in_errors_delivered;
}

void IcmpLayer::EchoReply(const Ipv4View& ip, Packet pkt, Instant now) {
  // RFC 792 p.14: the reply is the request with the type changed and the
  // checksum recomputed; identifier, sequence and data come back as sent.
  // Rewrite this mbuf: one field changes, so update the checksum
  // incrementally (RFC 1624) and prepend a fresh IPv4 header in the
  // headroom where the old one was. Options are not reflected.
  std::byte* p = pkt.data().data();
  const uint16_t old_word = LoadBe16(p);
  Store8(p, IcmpType::kEchoReply);
  StoreBe16(p + 2, ChecksumUpdate16(LoadBe16(p + 2), old_word, LoadBe16(p)));
  const Ipv4Address to = ip.src();  // read before the header is overwritten
  if (ip_.Send(std::move(pkt), to, IpProtocol::kIcmp, now)) {
    ++counters_.out_echo_reps;
  }
}

void IcmpLayer::SendDestUnreachable(const Ipv4View& original, uint8_t code,
                                    Instant now) {
  if (!error_bucket_.TryTake(now)) {
    drops_.Add(DropReason::kIcmpRateLimited);
    return;
  }
  const size_t quoted =
      original.header_len() + std::min<size_t>(8, original.payload().size());
  IcmpUnreachableRepr repr{.code = code,
                           .original = original.datagram().first(quoted)};
  Packet p = pool_.Alloc();
  std::byte* b = p ? p.Append(static_cast<uint16_t>(repr.len())) : nullptr;
  if (b == nullptr) {
    drops_.Add(DropReason::kTxNoBuffer);
    return;
  }
  repr.Emit(b);
  if (ip_.Send(std::move(p), original.src(), IpProtocol::kIcmp, now)) {
    ++counters_.out_dest_unreachs;
  }
}

}  // namespace skiff
