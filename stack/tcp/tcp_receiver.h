// The receive half of a connection (gVisor's receiver, Seastar's _rcv):
// the receive sequence space (RFC 9293 §3.3.1 Figure 4), the receive
// buffer and reassembly, the window we advertise, TS.Recent and the
// delayed ACK. Connection drives it (tcp_input.cc ProcessText/ProcessFin);
// this type holds the state and the computations that need nothing else.
#ifndef SKIFF_STACK_TCP_TCP_RECEIVER_H_
#define SKIFF_STACK_TCP_TCP_RECEIVER_H_

#include <algorithm>
#include <cstdint>

#include "stack/base/clock.h"
#include "stack/tcp/byte_ring.h"
#include "stack/tcp/reassembly.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff {

class ChunkPool;

struct TcpReceiver {
  TcpReceiver(uint32_t buffer_size, ChunkPool* pool) : buf(buffer_size, pool) {}

  // RCV.WND: from RCV.NXT to the right edge we advertised (adv).
  uint32_t Wnd() const {
    return adv > nxt ? static_cast<uint32_t>(adv - nxt) : 0;
  }
  // Free buffer space, less what the chunk pool cannot supply (the window
  // then shrinks, as it would with a smaller buffer). Bytes the layer
  // holds (zero-copy receive) take space as copied ones do, so the window
  // is the same in both modes (RFC 9293 §3.8.6: the right edge never
  // moves left, since held bytes are only released by reading).
  uint32_t Space() const;
  // RCV.WND as the window field of a segment. Receiver SWS avoidance (RFC
  // 1122 §4.2.3.3): the right edge moves only by min(buffer / 2, `mss`) or
  // more; it never moves left (RFC 9293 §3.8.6.2.2). A SYN's window is not
  // scaled (RFC 7323 §2.2).
  uint16_t WindowField(bool syn, uint32_t mss) const;
  // A segment carrying ACK = RCV.NXT and `window` left: the right edge and
  // the ACK obligations it settles.
  void OnAckSent(const TcpRepr& h) {
    const uint32_t w =
        h.has(TcpFlag::kSyn) ? uint32_t{h.window} : uint32_t{h.window} << scale;
    if (nxt + w > adv) adv = nxt + w;
    last_ack_sent = nxt;
    delack_deadline = Instant::Max();
    unacked = 0;
  }
  // RFC 1122 §4.2.3.2: an ACK within `timeout` of the first unacknowledged
  // segment.
  void ArmDelayedAck(Instant now, Duration timeout) {
    if (delack_deadline == Instant::Max()) delack_deadline = now + timeout;
  }
  // Unread bytes: the ring and what the layer holds ahead of it.
  size_t queued() const { return buf.size() + held; }

  // Ordered so that nothing pads (112 bytes): ts_recent sits in the tail
  // padding of reass ([[no_unique_address]] allows it).
  SeqNum irs, nxt;
  SeqNum adv;            // the right edge advertised (never moves left)
  SeqNum last_ack_sent;  // RFC 7323 §4.3 Last.ACK.sent
  SeqNum fin_seq;        // a FIN seen beyond a hole (when fin_pending)
  uint32_t held = 0;     // unread bytes the layer holds, before buf
  ByteRing buf;
  [[no_unique_address]] Reassembly reass;
  uint32_t ts_recent = 0;  // RFC 7323 §4.3 TS.Recent
  Instant delack_deadline = Instant::Max();
  uint32_t unacked = 0;           // bytes received since our last ACK
  uint16_t mss = 536;             // largest segment seen (delayed-ACK unit)
  uint8_t scale = 0;              // our window scale (RFC 7323)
  bool fin_received : 1 = false;  // peer's FIN processed (EOF after data)
  bool fin_pending : 1 = false;   // a FIN beyond a hole, at fin_seq
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_TCP_RECEIVER_H_
