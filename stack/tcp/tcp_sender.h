// The send half of a connection (gVisor's sender, Seastar's _snd): the
// send sequence space (RFC 9293 §3.3.1 Figure 3), the send buffer, the
// SACK scoreboard, RTT estimation and congestion control, and the timers
// that guard data in flight (RTO, tail loss probe, RACK reordering,
// persist). Connection drives it; what leaves when is decided in
// tcp_output.cc (NextDue), so this type holds state and the computations
// that need nothing but it.
//
// SND.MAX (max) is the highest sequence number ever sent: after a timeout
// SND.NXT goes back to SND.UNA (go-back-N) while ACKs up to SND.MAX stay
// acceptable. Where RFC 9293 says SND.NXT in an ACK check, this code uses
// SND.MAX.
#ifndef SKIFF_STACK_TCP_TCP_SENDER_H_
#define SKIFF_STACK_TCP_TCP_SENDER_H_

#include <cstdint>
#include <variant>

#include "stack/base/clock.h"
#include "stack/tcp/congestion.h"
#include "stack/tcp/cubic.h"
#include "stack/tcp/rack.h"
#include "stack/tcp/rtt.h"
#include "stack/tcp/sack_scoreboard.h"
#include "stack/tcp/send_queue.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff {

class ChunkPool;

struct TcpSender {
  TcpSender(uint32_t buffer_size, ChunkPool* pool, Duration rto_initial,
            CongestionAlgorithm cc)
      : rtt(rto_initial), buf(buffer_size, pool), sacked(pool) {
    if (cc == CongestionAlgorithm::kCubic) cc_.emplace<Cubic>();
  }
  ~TcpSender() { log.Free(buf.pool()); }

  // The first data byte in the send buffer: SND.UNA, or one past the SYN
  // while the SYN is unacknowledged.
  SeqNum BufStart() const { return una == iss ? iss + 1 : una; }
  // One past the last byte queued.
  SeqNum DataEnd() const { return BufStart() + buf.size(); }
  uint32_t FlightSize() const { return static_cast<uint32_t>(max - una); }
  bool FinAcked() const { return fin_queued && una > fin_seq; }
  // Where the next data segment starts: SND.NXT, moved past data the peer
  // SACKed when resending after a loss.
  SeqNum NextSendSeq() const {
    return sacked.SkipSacked(SeqMax(nxt, BufStart()), max);
  }
  // Bytes in the network (RFC 6675 pipe, holes counted as in flight).
  uint32_t Pipe() const {
    return FlightSize() - std::min(FlightSize(), sacked.Bytes());
  }

  // RFC 9293 §3.10.7.4 fifth step, window update: only from a segment
  // newer than the one that last set it (SND.WL1/SND.WL2), so old
  // segments cannot shrink it.
  void UpdateWindow(const TcpRepr& h) {
    if (h.ack < una) return;
    if (wl1 < h.seq || (wl1 == h.seq && wl2 <= h.ack)) {
      SetWindow(h, uint32_t{h.window} << scale);
    }
  }
  // The window a segment announces, taken as it is (a SYN's unscaled).
  void SetWindow(const TcpRepr& h, uint32_t window) {
    wnd = window;
    wl1 = h.seq;
    wl2 = h.ack;
    max_wnd = std::max(max_wnd, wnd);
  }
  // Would the fifth step accept SEG.ACK? In SYN-RECEIVED, SND.UNA < SEG.ACK
  // =< SND.NXT; later neither beyond SND.MAX (§3.10.7.4) nor below
  // SND.UNA - MAX.SND.WND (RFC 5961 §5.2).
  bool AcceptableAck(SeqNum ack, bool syn_received) const {
    if (syn_received) return una < ack && ack <= max;
    return ack <= max && !(ack < una - max_wnd);
  }

  // The congestion controller (NewReno or CUBIC, one of them in place: no
  // allocation, no virtual call through a pointer to elsewhere).
  RenoFamily& cc() {
    return cc_.index() == 0 ? static_cast<RenoFamily&>(*std::get_if<0>(&cc_))
                            : *std::get_if<1>(&cc_);
  }
  const RenoFamily& cc() const {
    return cc_.index() == 0
               ? static_cast<const RenoFamily&>(*std::get_if<0>(&cc_))
               : *std::get_if<1>(&cc_);
  }
  CongestionAlgorithm algorithm() const {
    return cc_.index() == 0 ? CongestionAlgorithm::kNewReno
                            : CongestionAlgorithm::kCubic;
  }
  // A live connection keeps its cwnd, ssthresh and recovery state; the
  // new controller's own state starts fresh.
  void SetAlgorithm(CongestionAlgorithm a);

  // The earliest of the sender's timers.
  Instant NextDeadline() const {
    return std::min(std::min(rto_deadline, tlp_deadline),
                    std::min(rack_deadline, persist_deadline));
  }
  void StopTimers() {
    rto_deadline = tlp_deadline = rack_deadline = Instant::Max();
    persist_deadline = Instant::Max();
  }

  SeqNum iss, una, nxt, max, wl1, wl2;
  SeqNum fin_seq;     // where our FIN sits once queued
  SeqNum rexmit_nxt;  // in recovery: resent up to here (RFC 6675 HighRxt)
  SeqNum rtt_seq;     // the segment being timed ends here (Karn)
  uint32_t wnd = 0;   // SND.WND, scaled

  // Instant::Max() when not armed.
  Instant rto_deadline = Instant::Max();      // RFC 6298
  Instant tlp_deadline = Instant::Max();      // RFC 8985 §7 probe timeout
  Instant rack_deadline = Instant::Max();     // RFC 8985 §6.2 reordering
  Instant persist_deadline = Instant::Max();  // RFC 9293 §3.8.6.1
  Instant rtt_start;

  // The small fields fill the tail padding of the members before them
  // ([[no_unique_address]] allows it), and two 32-bit fields moved down
  // to fill the rest: 312 bytes instead of 344.
  [[no_unique_address]] RttEstimator rtt;
  uint16_t peer_mss = 536;     // RFC 9293 §3.7.1 default
  uint16_t pmtu_mss = 0xffff;  // RFC 1191: path MTU - 40, if lower
  uint8_t scale = 0;           // the peer's window scale (RFC 7323)
  uint8_t retries = 0;         // consecutive RTO expirations
  SendQueue buf;
  [[no_unique_address]] SendLog log;  // RACK per-segment transmit times,
                                      // while in flight
  bool fin_queued : 1 = false;        // Shutdown(): FIN at fin_seq
  bool rtt_timing : 1 = false;
  bool tlp_sent : 1 = false;  // one probe per tail, until an ACK advances
  [[no_unique_address]] RackState rack;  // RFC 8985 §6.1
  uint8_t persist_backoff = 0;
  uint8_t dupacks = 0;
  uint32_t max_wnd = 0;  // largest window seen (RFC 1122 SWS, 5961 §5)
  [[no_unique_address]] SackScoreboard sacked;
  SeqNum rexmit_mark;  // SND.MAX when the head was last resent (RFC 8985)

 private:
  // Its tail padding is the Connection's (connection.h).
  [[no_unique_address]] std::variant<NewReno, Cubic> cc_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_TCP_SENDER_H_
