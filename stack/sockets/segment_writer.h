// Turns the segments a Connection (or the layer itself, for RSTs) wants
// sent into packets: one mbuf, header emitted, payload copied once from the
// send ring, checksum filled in software or seeded for the NIC's offload.
#ifndef SKIFF_STACK_SOCKETS_SEGMENT_WRITER_H_
#define SKIFF_STACK_SOCKETS_SEGMENT_WRITER_H_

#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/buf/packet_pool.h"
#include "stack/net/ip_sender.h"
#include "stack/tcp/tcp_types.h"

namespace skiff {

class SegmentWriter final : public SegmentSink {
 public:
  SegmentWriter(PacketPool& pool, IpSender& ip, bool checksum_offload,
                DropCounters& drops)
      : pool_(pool), ip_(ip), offload_(checksum_offload), drops_(drops) {}

  // Where the next Emit()s go (set before each Connection::PollTransmit).
  void Target(const FourTuple& tuple, Instant now) {
    tuple_ = tuple;
    now_ = now;
  }
  // False only when no mbuf could be had: the connection keeps the segment
  // due. A packet IPv4 drops later (no route, ARP) counts as lost on the
  // wire: retransmission covers it.
  bool Emit(const TcpSegmentOut& seg) override;

  uint64_t segments_out() const { return segments_out_; }

 private:
  PacketPool& pool_;
  IpSender& ip_;
  bool offload_;
  DropCounters& drops_;
  FourTuple tuple_;
  Instant now_;
  uint64_t segments_out_ = 0;
};

// RFC 9293 §3.10.7.1: the reset for a segment that reached no connection
// (CLOSED). Never a reset in answer to a reset. If the segment had an ACK:
// <SEQ=SEG.ACK><CTL=RST>; otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
// Returns nullopt when the segment is itself a RST.
std::optional<TcpRepr> ResetFor(const TcpRepr& seg, size_t payload_len);

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_SEGMENT_WRITER_H_
