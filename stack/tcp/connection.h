// One TCP connection, sans-IO (STYLE.md §2): segments and time come in as
// values, segments go out through a transmit poll, deadlines come back as
// data. It never reads a clock, never sees an mbuf and, once its buffers
// exist, never allocates per segment.
//
// RFCs to read along with it: 9293 (the state machine, §3.10 event
// processing), 1122 §4.2 (host requirements: delayed ACK, Nagle, SWS,
// keepalive), 6298 (RTO), 5681 + 6582 (NewReno), 7323 (window scale,
// timestamps, PAWS), 2018 (SACK), 6675 (SACK loss recovery), 3042
// (limited transmit), 8985 §7 (tail loss probe), 5961 (challenge ACKs),
// 6528 (ISN, see isn.h), 6691 (MSS), 1191 + 5927 (ICMP errors),
// 4987 §3.6 (SYN cookies, syn_cookie.h).
//
// The file split (gVisor/mTCP style): connection.cc (opening, application
// calls, state changes), tcp_input.cc (segment arrival, §3.10.7),
// tcp_output.cc (what is due, segment building), tcp_timers.cc (timers),
// tcp_rack.cc (RFC 8985 loss detection), tcp_icmp.cc (ICMP errors). The
// state splits the same way: TcpSender (tcp_sender.h: SND.*, the send
// buffer, SACK scoreboard, RTT, congestion control, the timers guarding
// data in flight), TcpReceiver (tcp_receiver.h: RCV.*, the receive buffer,
// reassembly, the advertised window, TS.Recent, the delayed ACK), and here
// what belongs to the connection as a whole: the state, the negotiated
// options, the output intents (Owed) and the connection's own timers.
// How the layer above drives it (DESIGN.md "The loop"): one question,
// PollAt(now), asked after every call into the connection, answers "when
// does it next need a turn": `now` if a segment is due, else its earliest
// timer, Instant::Max() if none. PollAt also arms the timers the last call
// made necessary (persist, FIN-WAIT-2), so nothing waits for a turn just to
// arm one. The layer then:
//   - puts it on the pending list when PollAt(now) <= now, and keeps its
//     timer-wheel entry no later than NextDeadline();
//   - loop step 3: OnTimers(now) when its deadline passed;
//   - loop step 5: PollTransmit(now, sink) if pending (it leaves the list;
//     PollAt says whether the sink refused something still due);
//   - delivers TakeEvents() to the application;
//   - frees it once closed(), PollAt(now) > now (no RST owed) and the
//     application let go.
// PollTransmit and PollAt share one decision (NextDue): what PollAt calls
// due is exactly what PollTransmit emits.
#ifndef SKIFF_STACK_TCP_CONNECTION_H_
#define SKIFF_STACK_TCP_CONNECTION_H_

#include <algorithm>
#include <cstdint>
#include <optional>

#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/tcp/challenge_ack_limit.h"
#include "stack/tcp/congestion.h"
#include "stack/tcp/tcp_config.h"
#include "stack/tcp/tcp_receiver.h"
#include "stack/tcp/tcp_sender.h"
#include "stack/tcp/tcp_types.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff {

// What an ICMP error did to a connection (Connection::OnIcmpError).
enum class IcmpReaction : uint8_t {
  kIgnored,     // a "fragmentation needed" that lowers nothing
  kSoftError,   // recorded: the error if the connection later times out
  kAborted,     // CLOSED with kUnreachable
  kMssLowered,  // path MTU lowered the MSS; the flight goes out again
};

class Connection {
 public:
  // Starts CLOSED. `config` (shared defaults), `drops` (the layer's drop
  // counters; may be null), `pool` (the layer's buffer chunks; null:
  // chunks come from the heap) and `challenge_limit` (the layer's RFC 5961
  // §7 bound; null: none) must outlive the connection.
  Connection(const TcpConfig& config, DropCounters* drops,
             ChunkPool* pool = nullptr,
             ChallengeAckLimiter* challenge_limit = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // ---- opening (from CLOSED only; the ISN comes from IsnGenerator) ----
  // Active open: CLOSED → SYN-SENT; the SYN goes out on the next poll.
  void Connect(const FourTuple& tuple, SeqNum iss, Instant now);
  // Passive open from a SYN the listener validated: CLOSED → SYN-RECEIVED,
  // options negotiated from `syn` (RFC 7323 §2.2, §3.2; RFC 2018 §2);
  // the SYN-ACK goes out on the next poll.
  void AcceptSyn(const FourTuple& tuple, SeqNum iss, const TcpRepr& syn,
                 Instant now);
  // Passive open completed by a SYN cookie (RFC 4987 §3.6; syn_cookie.h):
  // no SYN-RECEIVED was kept. `syn` is the SYN as the cookie remembers it
  // (SynCookies::Check), `ack` the segment that acknowledged our stateless
  // SYN-ACK: CLOSED → ESTABLISHED with SND.UNA = ISS + 1. The layer then
  // hands `ack` to OnSegment for any data or FIN riding on it.
  void AcceptCookie(const FourTuple& tuple, SeqNum iss, const TcpRepr& syn,
                    const TcpRepr& ack, Instant now);

  // ---- network side ----
  // A segment for this 4-tuple (checksum already verified). Rejected
  // segments are counted in the DropCounters and stats().dropped.
  void OnSegment(const TcpSegmentIn& seg, Instant now);
  // Loop step 3: fires the timers whose deadline passed (retransmission,
  // probes, delayed ACK, keepalive, TIME-WAIT and FIN-WAIT-2 ends).
  void OnTimers(Instant now);
  // Emits every segment that is due, in order, until nothing is or the
  // sink refuses one.
  void PollTransmit(Instant now, SegmentSink& sink);
  // The earliest armed timer, Instant::Max() if none (inline: the layer
  // asks after every segment).
  Instant NextDeadline() const {
    return std::min(std::min(snd_.NextDeadline(), rcv_.delack_deadline),
                    std::min(keepalive_deadline_, timewait_deadline_));
  }
  // When the connection next needs a turn: `now` if PollTransmit(now) would
  // emit a segment, else NextDeadline() (a connection held by Nagle or a
  // closed window waits for an ACK or a timer). Arms the persist and
  // FIN-WAIT-2 timers when the calls since the last PollAt made them
  // necessary (see the file header).
  Instant PollAt(Instant now);

  // ---- application side ----
  // Queues bytes (allowed from SYN-SENT on; they leave once ESTABLISHED).
  // Returns how many were taken, possibly fewer than offered.
  SendResult Send(ConstByteSpan data);
  // Reads in-order bytes. kEof once the peer's FIN and all data before it
  // are consumed; kReset when the connection ended with an error.
  RecvResult Recv(ByteSpan out);
  // Zero-copy receive: up to two spans (at most one 16 KiB chunk's worth)
  // of the bytes at the head of the receive buffer, valid until the next
  // call on this connection; RecvConsume(n) drops n of them as Recv would
  // have read them. Errors as Recv's when nothing is buffered.
  RecvResult RecvPeek(ConstByteSpan out[2]) const;
  RecvResult RecvConsume(size_t n);
  // Zero-copy send: writable room for up to n bytes (one chunk's worth at
  // most) at the tail of the send buffer; SendCommit(k) queues the first k,
  // k <= the latest reservation (no field remembers it: the TCB stays under
  // 800 B; the room is re-derived, the same while the tail has not moved).
  SendResult SendReserve(size_t n, ByteSpan out[2]);
  SendResult SendCommit(size_t n);
  // Send without a copy into the send buffer: queues `data` whole (its
  // size returned) or nothing (kWouldBlock, `data` untouched; it fits when
  // the send buffer is empty or has room for all of it). The buffer is
  // released once every byte is acknowledged, or when the connection ends
  // (SendQueue).
  SendResult SendOwned(OwnedBytes& data);
  // Zero-copy receive (the layer's RecvHold): the layer kept `n` in-order
  // bytes at the head of the stream (PayloadKeeper); they count as
  // received and unread, ahead of the receive ring, until ConsumeHeld(n)
  // says the application read them (which may open the window).
  uint32_t rcv_held() const { return rcv_.held; }
  void ConsumeHeld(uint32_t n);
  // Half close (SHUT_WR): FIN after the queued data; receiving continues.
  void Shutdown();
  // The application is done: a graceful Shutdown(), except that unread
  // received data (RFC 2525 §2.17) or linger_zero resets the connection.
  void Close();
  // ABORT (RFC 9293 §3.10.5): RST if synchronized, then CLOSED, error
  // kAborted.
  void Abort();
  // The layer ends the connection for an outside reason (e.g. ICMP
  // unreachable, RFC 1122 §4.2.3.9): CLOSED with `why`, no RST.
  void Fail(ConnectionError why);

  // ---- ICMP errors (tcp_icmp.cc) ----
  // RFC 5927 §4.1: does an error quoting sequence number `seq` concern a
  // segment in flight (SND.UNA <= seq < SND.NXT; SND.MAX here)?
  bool IcmpSeqAcceptable(SeqNum seq) const;
  // An error about this connection whose quote passed IcmpSeqAcceptable:
  // ICMP `type` and `code`, and for "fragmentation needed" the next-hop
  // `mtu`. The file header says what each does in each state.
  IcmpReaction OnIcmpError(uint8_t type, uint8_t code, uint16_t mtu);

  // ---- socket options ----
  void SetNoDelay(bool on) { no_delay_ = on; }
  // Keepalive (RFC 1122 §4.2.3.6) with the config's idle/interval/count.
  void SetKeepAlive(bool on, Instant now);
  // Buffer sizes can change only before the buffer is first used.
  bool SetSendBufferSize(uint32_t bytes) { return snd_.buf.SetCapacity(bytes); }
  bool SetRecvBufferSize(uint32_t bytes);
  void SetLingerZero(bool on) { linger_zero_ = on; }
  // The congestion controller (TCP_CONGESTION). Any time: a live
  // connection keeps its cwnd, ssthresh and recovery state; the new
  // controller's own state starts fresh.
  void SetCongestionControl(CongestionAlgorithm a);
  CongestionAlgorithm congestion_control() const { return snd_.algorithm(); }
  // The controller itself (tests, diagnostics).
  const CongestionControl& congestion() const { return cc(); }
  // RFC 7323 §7.1: TSval = a millisecond clock plus a per-connection offset
  // so that it does not reveal the host's uptime. Set it before opening;
  // IsnGenerator::TimestampOffset() gives one that is stable per 4-tuple
  // (which keeps RFC 6191 TIME-WAIT reuse working). Default 0.
  void SetTimestampOffset(uint32_t offset) { ts_offset_ = offset; }

  // ---- state and readiness ----
  TcpState state() const { return state_; }
  const FourTuple& tuple() const { return tuple_; }
  ConnectionError error() const { return error_; }
  // Data can flow: ESTABLISHED or any later synchronized state.
  bool connected() const;
  // Recv() would not return kWouldBlock.
  bool readable() const;
  // Send() would take at least one byte.
  bool writable() const;
  // CLOSED (the layer may free it once the application let go).
  bool closed() const { return state_ == TcpState::kClosed; }
  // Events since the last call (TcpEvent bits).
  uint8_t TakeEvents() {
    uint8_t e = events_;
    events_ = 0;
    return e;
  }
  size_t recv_queued() const { return rcv_.buf.size() + rcv_.held; }
  size_t send_queued() const { return snd_.buf.size(); }
  // Buffer memory is held (false when idle before data and after close).
  bool buffers_allocated() const {
    return snd_.buf.allocated() || rcv_.buf.allocated();
  }
  TcpConnStats stats() const;

  // ---- the TCB, named after RFC 9293 §3.3.1 (diagnostics and tests) ----
  SeqNum iss() const { return snd_.iss; }
  SeqNum irs() const { return rcv_.irs; }
  SeqNum snd_una() const { return snd_.una; }
  SeqNum snd_nxt() const { return snd_.nxt; }
  uint32_t snd_wnd() const { return snd_.wnd; }
  SeqNum rcv_nxt() const { return rcv_.nxt; }
  uint32_t rcv_wnd() const { return rcv_.Space(); }
  uint32_t cwnd() const { return cc().cwnd(); }
  uint32_t ssthresh() const { return cc().ssthresh(); }
  Duration rto() const { return snd_.rtt.rto(config_->rto_max); }
  const RttEstimator& rtt() const { return snd_.rtt; }
  // min(peer MSS, ours, the path MTU's) minus the timestamp option when in
  // use.
  uint32_t effective_mss() const;
  // The MSS the path MTU allows (RFC 1191), 0xffff until an ICMP
  // "fragmentation needed" lowered it.
  uint16_t pmtu_mss() const { return snd_.pmtu_mss; }
  // A soft ICMP error arrived and nothing was acknowledged since: a
  // timeout now reports kUnreachable (RFC 1122 §4.2.3.9).
  bool SoftErrorPending() const {
    return soft_error_ && snd_.una == soft_error_una_;
  }
  uint32_t ts_recent() const { return rcv_.ts_recent; }
  // RFC 9293 §3.10.7.4 / RFC 6191: in TIME-WAIT, may `syn` start a new
  // incarnation of this 4-tuple? Yes if its timestamp is newer than
  // TS.Recent (when timestamps were in use) or, without timestamps, its
  // sequence number is above RCV.NXT. The layer then frees this connection
  // and passes the SYN to the listener.
  bool AcceptsNewIncarnation(const TcpRepr& syn) const;
  uint8_t snd_wscale() const { return snd_.scale; }
  uint8_t rcv_wscale() const { return rcv_.scale; }
  bool timestamps_enabled() const { return ts_ok_; }
  bool sack_enabled() const { return sack_ok_; }

 private:
  // connection.cc
  void SetState(TcpState to, Instant now);
  void OnEstablished(Instant now);
  void OnClosed();
  // CLOSED with `why` as the error (the first one sticks).
  void EnterClosed(ConnectionError why);
  void Negotiate(const TcpRepr& syn);
  void Drop(DropReason r);
  bool Synchronized() const;
  RenoFamily& cc() { return snd_.cc(); }
  const RenoFamily& cc() const { return snd_.cc(); }
  // RFC 9293 §3.10.7.4 seventh step: the states that queue segment text.
  std::optional<SendError> SendRefused() const;
  RecvResult RecvEmpty() const;
  void AfterRead(uint32_t advertised_before);
  bool TakesText() const {
    return state_ == TcpState::kEstablished || state_ == TcpState::kFinWait1 ||
           state_ == TcpState::kFinWait2;
  }

  // tcp_input.cc
  void HandleClosed(const TcpSegmentIn& seg);
  void HandleSynSent(const TcpSegmentIn& seg, Instant now);
  void QueueSynText(const TcpSegmentIn& seg);
  void DeliverQueuedText();
  void HandleSynchronized(const TcpSegmentIn& seg, Instant now);
  bool PawsReject(const TcpSegmentIn& seg, Instant now);
  bool DisorderedAck(const TcpSegmentIn& seg) const;
  bool TrimToWindow(TcpSegmentIn& seg);
  void HandleRst(const TcpSegmentIn& seg, Instant now);
  bool HandleAck(const TcpSegmentIn& seg, Instant now);
  bool HandleAckInSynReceived(const TcpSegmentIn& seg, Instant now);
  void ProcessNewAck(const TcpSegmentIn& seg, Instant now);
  void ProcessDupAck(const TcpSegmentIn& seg, Instant now);
  uint32_t UpdateSackScoreboard(const TcpOptions& opts);
  void DetectLostRetransmit();
  void SampleRtt(const TcpSegmentIn& seg, Instant now);
  void ProcessText(const TcpSegmentIn& seg, Instant now);
  void ProcessFin(Instant now);
  void AckInvalid(const TcpSegmentIn& seg, Instant now, bool challenge);
  void ReplyRst(const TcpSegmentIn& seg);

  // tcp_rack.cc (RFC 8985 §6)
  bool RackOn() const { return sack_ok_ && config_->rack && snd_.log.active(); }
  static uint32_t NowUs(Instant now) {
    return static_cast<uint32_t>(now.nanos() / 1000);
  }
  void RackLogSend(SeqNum seq, SeqNum end, Instant now);
  void RackOnAck(const TcpSegmentIn& seg, Instant now);
  void RackDeliver(const SentRecord& r, const TcpSegmentIn& seg, Instant now);
  uint32_t RackDetectLoss(Instant now);
  void RackAfterDetect(uint32_t newly_lost, Instant now);
  void OnRackTimeout(Instant now);
  bool EmitRackLost(SegmentSink& sink, Instant now);

  // tcp_output.cc
  uint32_t TsVal(Instant now) const {
    return static_cast<uint32_t>(now.nanos() / 1'000'000) + ts_offset_;
  }
  TcpRepr MakeHeader(SeqNum seq, uint8_t flags, Instant now) const;
  uint16_t WindowField(bool syn) const {
    return rcv_.WindowField(syn, effective_mss());
  }
  bool Transmit(SegmentSink& sink, TcpSegmentOut& out, Instant now);
  bool EmitSyn(SegmentSink& sink, Instant now);
  bool EmitRetransmitHead(SegmentSink& sink, Instant now);
  bool EmitData(SegmentSink& sink, Instant now);
  bool EmitProbe(SegmentSink& sink, Instant now);
  bool EmitAck(SegmentSink& sink, Instant now);
  bool EmitPendingRst(SegmentSink& sink, Instant now);
  // What PollTransmit sends next, in order of priority: the one decision
  // behind both PollTransmit and PollAt.
  enum class Due : uint8_t {
    kNone,
    kRst,
    kSyn,
    kRetransmitHead,
    kSackHole,
    kData,
    kLossProbe,
    kProbe,
    kAck,
    kDupAck,
  };
  Due NextDue(Instant now) const;
  bool EmitDue(Due d, SegmentSink& sink, Instant now);
  uint32_t MaxPayload(const TcpRepr& h) const;
  uint32_t DataMaxPayload() const;
  struct DataPlan {
    uint32_t len = 0;
    bool fin = false;
    bool send = false;
  };
  DataPlan PlanData(SeqNum from, uint32_t max_payload) const;
  bool EmitSackHole(SegmentSink& sink, Instant now);
  bool EmitLossProbe(SegmentSink& sink, Instant now);

  // tcp_icmp.cc
  // The largest segment, options included, we may send: the peer's MSS,
  // ours and the path MTU's (RFC 9293 §3.7.1, RFC 1191).
  uint32_t SendMssLimit() const {
    return std::min({uint32_t{snd_.peer_mss}, uint32_t{config_->mss},
                     uint32_t{snd_.pmtu_mss}});
  }
  IcmpReaction LowerMss(uint16_t mtu);

  // tcp_timers.cc
  void ArmFinWait2(Instant now);
  void OnRetransmitTimeout(Instant now);
  void OnPersistTimeout(Instant now);
  void OnKeepaliveTimeout(Instant now);
  void ArmRto(Instant now);
  void ArmTlp(Instant now);
  void OnTlpTimeout(Instant now);
  void UpdatePersist(Instant now);
  bool PersistWanted() const;

  // Laid out for size (no padding holes, 560 bytes): 1M idle connections
  // are the scale test.
  const TcpConfig* config_;
  DropCounters* drops_;
  ChallengeAckLimiter* challenge_limit_;
  FourTuple tuple_;
  SeqNum soft_error_una_;   // SND.UNA when the ICMP soft error came
  uint32_t ts_offset_ = 0;  // added to our millisecond TSval clock

  // snd_'s tail padding holds the byte-sized state below it, rst_'s the
  // flags at the end ([[no_unique_address]] allows it).
  [[no_unique_address]] TcpSender snd_;
  // What the calls since the last transmit poll owe the peer: the one set
  // of output intents NextDue reads; each Emit clears its own.
  struct Owed {
    uint8_t dup_acks = 0;  // immediate ACKs for out-of-order arrivals
    bool ack : 1 = false;  // an ACK now (not delayed)
    bool rst : 1 = false;  // the RST in rst_
    bool retransmit_head : 1 = false;
    bool sack_hole : 1 = false;   // SACK shows a hole to resend
    bool probe : 1 = false;       // zero-window or keepalive probe
    bool force_send : 1 = false;  // persist fired with a tiny window
    bool loss_probe : 1 = false;  // the TLP timer fired (RFC 8985 §7.3)
  } owed_;
  uint8_t probes_ = 0;  // unanswered keepalive / zero-window probes
  uint8_t events_ = 0;
  TcpState state_ = TcpState::kClosed;
  ConnectionError error_ = ConnectionError::kNone;

  TcpReceiver rcv_;

  // The connection's own timers; Instant::Max() when not armed.
  Instant keepalive_deadline_ = Instant::Max();
  Instant timewait_deadline_ = Instant::Max();  // also FIN-WAIT-2's end
  Instant last_oow_ack_ = Instant::FromNanos(INT64_MIN / 2);

  // Counters. The four every segment moves live here; the rest (loss,
  // reordering, bad segments) in a block from the layer's pool taken the
  // first time one of them counts, so a connection that meets no trouble
  // holds a pointer for them, not 64 B.
  struct {
    uint64_t segs_in = 0;
    uint64_t segs_out = 0;
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
  } hot_;
  TcpConnStats* trouble_ = nullptr;
  TcpConnStats& Trouble();
  // The one RST we owe (reply to a bad segment, or Abort()). `ts`: sent on
  // a connection that negotiated timestamps, so it carries them (RFC 7323
  // §3.2); decided when owed, as the state may be CLOSED by the time it
  // goes.
  struct PendingRst {
    SeqNum seq, ack;
    uint8_t flags = 0;
    bool ts = false;
  };
  [[no_unique_address]] PendingRst rst_;

  // Negotiated options (RFC 7323, RFC 2018) and socket options.
  bool passive_ : 1 = false;
  bool ws_ok_ : 1 = false;
  bool ts_ok_ : 1 = false;
  bool sack_ok_ : 1 = false;
  bool no_delay_ : 1 = false;
  bool keepalive_ : 1 = false;
  bool linger_zero_ : 1 = false;
  bool orphaned_ : 1 = false;    // Close() called
  bool soft_error_ : 1 = false;  // ICMP soft error: see SoftErrorPending()
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CONNECTION_H_
