#include "stack/net/icmp_layer.h"

#include <algorithm>
#include <utility>

#include "stack/net/ipv4_layer.h"
#include "stack/wire/checksum.h"
#include "stack/wire/icmp.h"

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
  if (icmp->type() == IcmpType::kEchoRequest && config_.echo_reply &&
      (ip.dst() == ip_.address() || config_.broadcast_echo_reply)) {
    ++counters_.in_echos;
    EchoReply(ip, std::move(pkt), now);
    return;
  }
  // Errors about our own traffic would go to the transport (RFC 1122
  // §3.2.2.1); nothing listens for them yet.
  drops_.Add(DropReason::kIcmpUnhandledType);
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
