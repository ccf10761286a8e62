#include "stack/net/gro_stage.h"

#include <rte_gro.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <array>

#include "stack/wire/bytes.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace skiff {
namespace {

enum class Verdict { kOther, kCandidate, kDrop };

constexpr uint8_t kTcpAckOnly = 0x10;

bool IpGood(const rte_mbuf* m) {
  return (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
         RTE_MBUF_F_RX_IP_CKSUM_GOOD;
}
bool L4Good(const rte_mbuf* m) {
  return (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
         RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

// What a mergeable frame must look like where the headers put it, read
// without the parsers and without side effects: single-segment Ethernet/
// IPv4/TCP, ACK as the only flag, some payload. Small-packet paths (data
// with PSH, SYN/FIN, pure ACKs) stop here, so a burst with fewer than two
// such frames skips GRO altogether. Classify still parses and validates.
bool MayMerge(const rte_mbuf* m) {
  if (m->nb_segs != 1) return false;
  const std::byte* f = rte_pktmbuf_mtod(m, const std::byte*);
  const size_t len = m->data_len;
  if (len < kEthernetHeaderLen + kIpv4MinHeaderLen + kTcpMinHeaderLen ||
      LoadBe16(f + 12) != EtherType::kIpv4) {
    return false;
  }
  const std::byte* l3 = f + kEthernetHeaderLen;
  const size_t ihl = (std::to_integer<size_t>(l3[0]) & 0x0f) * 4;
  if (std::to_integer<uint8_t>(l3[9]) != IpProtocol::kTcp ||
      len < kEthernetHeaderLen + ihl + kTcpMinHeaderLen ||
      std::to_integer<uint8_t>(l3[ihl + 13]) != kTcpAckOnly) {
    return false;
  }
  const size_t doff = (std::to_integer<size_t>(l3[ihl + 12]) >> 4) * 4;
  return LoadBe16(l3 + 2) > ihl + doff;
}

// Parses a frame; a candidate gets packet_type and l2/l3/l4_len set (what
// gro_tcp4.c reads) and its checksums verified.
Verdict Classify(rte_mbuf* m, DropCounters& drops) {
  if (!MayMerge(m)) return Verdict::kOther;
  const std::byte* f = rte_pktmbuf_mtod(m, const std::byte*);
  const size_t len = m->data_len;
  DropReason why{};
  auto ip =
      Ipv4View::Parse(ConstByteSpan(f, len).subspan(kEthernetHeaderLen), &why);
  // Malformed, fragmented or not TCP: the normal path decides.
  if (!ip || ip->is_fragment() || ip->protocol() != IpProtocol::kTcp) {
    return Verdict::kOther;
  }
  auto tcp = TcpView::Parse(ip->payload(), &why);
  if (!tcp || tcp->flags() != kTcpAckOnly ||
      tcp->header_len() == ip->payload().size()) {
    return Verdict::kOther;  // SYN/FIN/RST/PSH/URG/ECE/CWR or no payload
  }
  // RFC 1122 §3.2.1.2 / RFC 9293 §3.10.7.4: verify before merging, since the
  // merged header keeps this frame's checksums.
  if (!IpGood(m)) {
    if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
            RTE_MBUF_F_RX_IP_CKSUM_BAD ||
        !ip->ChecksumValid()) {
      drops.Add(DropReason::kIpBadChecksum);
      return Verdict::kDrop;
    }
  }
  if (!L4Good(m)) {
    if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
            RTE_MBUF_F_RX_L4_CKSUM_BAD ||
        !tcp->ChecksumValid(ip->src(), ip->dst())) {
      drops.Add(DropReason::kTcpBadChecksum);
      return Verdict::kDrop;
    }
  }
  m->ol_flags = (m->ol_flags &
                 ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK)) |
                RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP;
  m->l2_len = kEthernetHeaderLen;
  m->l3_len = static_cast<uint16_t>(ip->header_len());
  m->l4_len = static_cast<uint16_t>(tcp->header_len());
  return Verdict::kCandidate;
}

}  // namespace

size_t GroBurst(std::span<Packet> pkts, size_t n, std::span<bool> chained,
                LinkCounters& counters, DropCounters& drops) {
  // Lightweight mode keeps at most RTE_GRO_MAX_BURST_ITEM_NUM packets; one
  // item per flow slot so that any mix of flows fits.
  constexpr size_t kMax = RTE_GRO_MAX_BURST_ITEM_NUM;
  n = std::min({n, pkts.size(), chained.size(), kMax});
  // Nothing to merge (request/response, handshakes): leave the burst be.
  size_t may = 0;
  for (size_t i = 0; i < n && may < 2; ++i) may += MayMerge(pkts[i].mbuf());
  if (may < 2) {
    std::fill_n(chained.begin(), n, false);
    return n;
  }
  std::array<rte_mbuf*, kMax> in;
  std::array<Verdict, kMax> verdict;
  for (size_t i = 0; i < n; ++i) {
    in[i] = pkts[i].Release();
    verdict[i] = Classify(in[i], drops);
    if (verdict[i] == Verdict::kDrop) rte_pktmbuf_free(in[i]);
  }
  const rte_gro_param param{.gro_types = RTE_GRO_TCP_IPV4,
                            .max_flow_num = kMax,
                            .max_item_per_flow = 1};
  size_t out = 0;
  auto emit = [&](rte_mbuf* m, bool from_gro) {
    chained[out] = from_gro && m->nb_segs > 1;
    if (chained[out]) {
      ++counters.rx_gro_super_segments;
      counters.rx_gro_frames += m->nb_segs;
    }
    pkts[out++] = Packet(m);
  };
  size_t i = 0;
  while (i < n) {
    if (verdict[i] != Verdict::kCandidate) {
      if (verdict[i] == Verdict::kOther) emit(in[i], false);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && verdict[j] == Verdict::kCandidate) ++j;
    // The run [i, j): merged packets come back in place of their frames
    // (unmerged ones first, then the flows' items in arrival order).
    const uint16_t k =
        rte_gro_reassemble_burst(&in[i], static_cast<uint16_t>(j - i), &param);
    for (size_t x = 0; x < k; ++x) emit(in[i + x], true);
    i = j;
  }
  return out;
}

}  // namespace skiff
