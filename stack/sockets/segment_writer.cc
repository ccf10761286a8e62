#include "stack/sockets/segment_writer.h"

#include <cstring>

#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace skiff {

bool SegmentWriter::Emit(const TcpSegmentOut& seg) {
  Packet p = pool_.Alloc();
  if (!p) {
    drops_.Add(DropReason::kTxNoBuffer);
    return false;
  }
  const size_t header_len = seg.header.header_len();
  const size_t len = header_len + seg.payload_len();
  std::byte* d =
      len <= p.tailroom() ? p.Append(static_cast<uint16_t>(len)) : nullptr;
  if (d == nullptr) {  // an MSS larger than the mbuf: a configuration error
    drops_.Add(DropReason::kIpTooBig);
    return true;
  }
  seg.header.Emit(d);
  std::byte* out = d + header_len;
  for (ConstByteSpan part : seg.payload) {
    if (part.empty()) continue;
    std::memcpy(out, part.data(), part.size());
    out += part.size();
  }
  ByteSpan segment(d, len);
  if (offload_) {
    TcpFillPseudoHeaderChecksum(segment, tuple_.local_addr, tuple_.remote_addr);
    p.SetTxOffload({.ipv4_checksum = false,
                    .tcp_checksum = true,
                    .l2_len = EthernetRepr::kLen,
                    .l3_len = Ipv4Repr::kLen});
  } else {
    TcpFillChecksum(segment, tuple_.local_addr, tuple_.remote_addr);
  }
  ++segments_out_;
  ip_.SendIpv4From(tuple_.local_addr, std::move(p), tuple_.remote_addr,
                   IpProtocol::kTcp, now_);
  return true;
}

std::optional<TcpRepr> ResetFor(const TcpRepr& seg, size_t payload_len) {
  if (seg.has(TcpFlag::kRst)) return std::nullopt;
  TcpRepr rst;
  rst.src_port = seg.dst_port;
  rst.dst_port = seg.src_port;
  if (seg.has(TcpFlag::kAck)) {
    rst.seq = seg.ack;
    rst.flags = TcpFlag::kRst;
  } else {
    uint32_t seg_len = static_cast<uint32_t>(payload_len) +
                       (seg.has(TcpFlag::kSyn) ? 1 : 0) +
                       (seg.has(TcpFlag::kFin) ? 1 : 0);
    rst.seq = SeqNum(0);
    rst.ack = seg.seq + seg_len;
    rst.flags = TcpFlag::kRst | TcpFlag::kAck;
  }
  return rst;
}

}  // namespace skiff
