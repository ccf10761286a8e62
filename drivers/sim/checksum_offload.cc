#include "drivers/sim/checksum_offload.h"

#include <rte_mbuf.h>

#include <optional>

#include "stack/wire/bytes.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace skiff {
namespace {

constexpr size_t kTcpChecksumAt = 16;
constexpr size_t kIpChecksumAt = 10;

// Equal as one's-complement numbers (0x0000 and 0xffff are both zero).
bool SameSum(uint16_t a, uint16_t b) {
  return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

}  // namespace

ChecksumsWritten FinishTxChecksums(rte_mbuf* m) {
  const uint64_t flags = m->ol_flags;
  const bool want_ip = (flags & RTE_MBUF_F_TX_IP_CKSUM) != 0;
  const bool want_tcp =
      (flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM;
  const size_t l2 = m->l2_len, l3 = m->l3_len;
  if ((!want_ip && !want_tcp) || m->nb_segs != 1 || l3 < kIpv4MinHeaderLen ||
      l2 + l3 > m->data_len) {
    return {};  // nothing asked, or nothing a NIC could make sense of
  }
  std::byte* ip = rte_pktmbuf_mtod_offset(m, std::byte*, l2);
  DropReason why;
  const std::optional<Ipv4View> view =
      Ipv4View::Parse({ip, m->data_len - l2}, &why);
  ChecksumsWritten done;
  if (want_ip) {
    StoreBe16(ip + kIpChecksumAt, 0);
    StoreBe16(ip + kIpChecksumAt, InternetChecksum({ip, l3}));
    done.ip = view && view->header_len() == l3;
  }
  if (want_tcp) {
    // The segment ends where the IPv4 total length says (link padding is
    // not summed); if the header does not parse, at the frame's end, as a
    // NIC that knows only l2_len and l3_len would sum.
    const size_t total = view ? view->total_length() : m->data_len - l2;
    if (total < l3 + kTcpMinHeaderLen) return done;
    std::byte* seg = ip + l3;
    const size_t seg_len = total - l3;
    const uint16_t seed = LoadBe16(seg + kTcpChecksumAt);
    // The seed stays in place and is summed with the rest.
    StoreBe16(seg + kTcpChecksumAt,
              ChecksumFinish(ChecksumAccumulate({seg, seg_len})));
    if (view && view->header_len() == l3 &&
        view->protocol() == IpProtocol::kTcp && !view->is_fragment()) {
      const uint16_t truth = static_cast<uint16_t>(~ChecksumFinish(
          PseudoHeaderSum(view->src(), view->dst(), IpProtocol::kTcp,
                          static_cast<uint16_t>(seg_len))));
      done.tcp = SameSum(seed, truth);
    }
  }
  return done;
}

uint64_t RxChecksumFlags(const rte_mbuf* m, ChecksumsWritten known) {
  if (m->nb_segs != 1) return 0;
  const ConstByteSpan frame(rte_pktmbuf_mtod(m, const std::byte*), m->data_len);
  DropReason why;
  const std::optional<EthernetView> eth = EthernetView::Parse(frame, &why);
  if (!eth || eth->ethertype() != EtherType::kIpv4) return 0;
  const std::optional<Ipv4View> ip = Ipv4View::Parse(eth->payload(), &why);
  if (!ip) {
    return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
  }
  uint64_t flags = known.ip || ip->ChecksumValid() ? RTE_MBUF_F_RX_IP_CKSUM_GOOD
                                                   : RTE_MBUF_F_RX_IP_CKSUM_BAD;
  if (ip->protocol() != IpProtocol::kTcp || ip->is_fragment()) {
    return flags | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
  }
  if (known.tcp) return flags | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  const std::optional<TcpView> tcp = TcpView::Parse(ip->payload(), &why);
  if (!tcp) return flags | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
  return flags | (tcp->ChecksumValid(ip->src(), ip->dst())
                      ? RTE_MBUF_F_RX_L4_CKSUM_GOOD
                      : RTE_MBUF_F_RX_L4_CKSUM_BAD);
}

}  // namespace skiff
