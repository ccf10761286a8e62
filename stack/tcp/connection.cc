// Opening, application calls and state changes of a Connection.
#include "stack/tcp/connection.h"

#include <algorithm>

namespace skiff {

std::string_view TcpStateName(TcpState s) {
  switch (s) {
    case TcpState::kClosed:
      return "CLOSED";
    case TcpState::kListen:
      return "LISTEN";
    case TcpState::kSynSent:
      return "SYN-SENT";
    case TcpState::kSynReceived:
      return "SYN-RECEIVED";
    case TcpState::kEstablished:
      return "ESTABLISHED";
    case TcpState::kFinWait1:
      return "FIN-WAIT-1";
    case TcpState::kFinWait2:
      return "FIN-WAIT-2";
    case TcpState::kCloseWait:
      return "CLOSE-WAIT";
    case TcpState::kClosing:
      return "CLOSING";
    case TcpState::kLastAck:
      return "LAST-ACK";
    case TcpState::kTimeWait:
      return "TIME-WAIT";
  }
  return "?";
}

std::string_view ConnectionErrorName(ConnectionError e) {
  switch (e) {
    case ConnectionError::kNone:
      return "none";
    case ConnectionError::kRefused:
      return "refused";
    case ConnectionError::kReset:
      return "reset";
    case ConnectionError::kTimedOut:
      return "timed_out";
    case ConnectionError::kUnreachable:
      return "unreachable";
    case ConnectionError::kAborted:
      return "aborted";
  }
  return "?";
}

Connection::Connection(const TcpConfig& config, DropCounters* drops,
                       ChunkPool* pool, ChallengeAckLimiter* challenge_limit)
    : config_(&config),
      drops_(drops),
      challenge_limit_(challenge_limit),
      rtt_(config.rto_initial),
      snd_buf_(config.send_buffer_size, pool),
      rcv_buf_(config.recv_buffer_size, pool) {
  no_delay_ = config.no_delay;
  keepalive_ = config.keepalive;
  linger_zero_ = config.linger_zero;
  if (config.congestion_control == CongestionAlgorithm::kCubic) {
    cc_.emplace<Cubic>();
  }
}

void Connection::SetCongestionControl(CongestionAlgorithm a) {
  if (a == congestion_control()) return;
  const std::variant<NewReno, Cubic> old = cc_;
  if (a == CongestionAlgorithm::kCubic) {
    cc_.emplace<Cubic>();
  } else {
    cc_.emplace<NewReno>();
  }
  cc().AdoptWindow(
      std::visit([](const auto& c) -> const RenoFamily& { return c; }, old));
}

void Connection::Connect(const FourTuple& tuple, SeqNum iss, Instant now) {
  if (state_ != TcpState::kClosed) return;
  tuple_ = tuple;
  iss_ = snd_una_ = snd_nxt_ = snd_max_ = iss;
  passive_ = false;
  // What we offer in the SYN; Negotiate() keeps what the SYN-ACK confirms.
  ws_ok_ = config_->window_scaling;
  rcv_scale_ =
      ws_ok_ ? std::min(config_->window_scale_shift, kTcpMaxWindowScale) : 0;
  ts_ok_ = config_->timestamps;
  sack_ok_ = config_->sack;
  cc().Reset(effective_mss(), config_->initial_cwnd_segments, iss);
  SetState(TcpState::kSynSent, now);
}

void Connection::AcceptSyn(const FourTuple& tuple, SeqNum iss,
                           const TcpRepr& syn, Instant now) {
  if (state_ != TcpState::kClosed) return;
  tuple_ = tuple;
  iss_ = snd_una_ = snd_nxt_ = snd_max_ = iss;
  passive_ = true;
  // RFC 9293 §3.10.7.2 (LISTEN, third: SYN): RCV.NXT = SEG.SEQ + 1,
  // IRS = SEG.SEQ; the window comes from the SYN, unscaled (RFC 7323 §2.2).
  irs_ = syn.seq;
  rcv_nxt_ = rcv_adv_ = last_ack_sent_ = syn.seq + 1;
  ws_ok_ = config_->window_scaling && syn.options.window_scale.has_value();
  ts_ok_ = config_->timestamps && syn.options.timestamp.has_value();
  sack_ok_ = config_->sack && syn.options.sack_permitted;
  rcv_scale_ =
      ws_ok_ ? std::min(config_->window_scale_shift, kTcpMaxWindowScale) : 0;
  Negotiate(syn);
  snd_wnd_ = syn.window;
  max_snd_wnd_ = snd_wnd_;
  snd_wl1_ = syn.seq;
  snd_wl2_ = iss;
  cc().Reset(effective_mss(), config_->initial_cwnd_segments, iss);
  SetState(TcpState::kSynReceived, now);
}

void Connection::AcceptCookie(const FourTuple& tuple, SeqNum iss,
                              const TcpRepr& syn, const TcpRepr& ack,
                              Instant now) {
  if (state_ != TcpState::kClosed) return;
  AcceptSyn(tuple, iss, syn, now);  // IRS, RCV.NXT, options as for a SYN
  // Our SYN-ACK (its window unscaled, as WindowField(true) gives it again)
  // went out statelessly and `ack` acknowledged it: RFC 9293 §3.10.7.4
  // fifth step in SYN-RECEIVED, as HandleAckInSynReceived does it.
  snd_una_ = snd_nxt_ = snd_max_ = iss + 1;
  rcv_adv_ = rcv_nxt_ + WindowField(true);
  snd_wnd_ = uint32_t{ack.window} << snd_scale_;
  max_snd_wnd_ = snd_wnd_;
  snd_wl1_ = ack.seq;
  snd_wl2_ = ack.ack;
  SetState(TcpState::kEstablished, now);
}

// Keeps the options both sides offered (RFC 7323 §2.2, §3.2; RFC 2018 §2)
// and the peer's MSS (RFC 9293 §3.7.1: 536 when absent).
void Connection::Negotiate(const TcpRepr& syn) {
  const TcpOptions& o = syn.options;
  ws_ok_ = ws_ok_ && o.window_scale.has_value();
  snd_scale_ = ws_ok_ ? *o.window_scale : 0;
  if (!ws_ok_) rcv_scale_ = 0;
  ts_ok_ = ts_ok_ && o.timestamp.has_value();
  if (ts_ok_) ts_recent_ = o.timestamp->tsval;
  sack_ok_ = sack_ok_ && o.sack_permitted;
  peer_mss_ = o.mss.value_or(536);
  rcv_mss_ = static_cast<uint16_t>(std::min<uint32_t>(effective_mss(), 536));
}

uint32_t Connection::effective_mss() const {
  // RFC 9293 §3.7.1 / RFC 6691: options reduce the data a segment can carry.
  uint32_t m = SendMssLimit();
  if (ts_ok_) m -= 12;
  return std::max<uint32_t>(m, 64);
}

bool Connection::SetRecvBufferSize(uint32_t bytes) {
  if (state_ != TcpState::kClosed) return false;  // the window is announced
  return rcv_buf_.SetCapacity(bytes);
}

void Connection::SetKeepAlive(bool on, Instant now) {
  keepalive_ = on;
  probes_ = 0;
  keepalive_deadline_ =
      on && Synchronized() ? now + config_->keepalive_idle : Instant::Max();
}

bool Connection::AcceptsNewIncarnation(const TcpRepr& syn) const {
  if (state_ != TcpState::kTimeWait || !syn.has(TcpFlag::kSyn) ||
      syn.has(TcpFlag::kAck) || syn.has(TcpFlag::kRst)) {
    return false;
  }
  if (ts_ok_ && syn.options.timestamp) {
    return SeqNum(syn.options.timestamp->tsval) > SeqNum(ts_recent_);
  }
  return syn.seq > rcv_nxt_;
}

bool Connection::Synchronized() const {
  return state_ != TcpState::kClosed && state_ != TcpState::kListen &&
         state_ != TcpState::kSynSent;
}

bool Connection::connected() const {
  return Synchronized() && state_ != TcpState::kSynReceived;
}

bool Connection::readable() const {
  return !rcv_buf_.empty() || rcv_held_ > 0 || fin_received_ ||
         error_ != ConnectionError::kNone;
}

bool Connection::writable() const {
  switch (state_) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
      return !fin_queued_ && snd_buf_.available() > 0;
    default:
      return false;
  }
}

// The first data byte in the send ring: SND.UNA, or one past the SYN while
// the SYN is unacknowledged.
SeqNum Connection::SndBufStart() const {
  return snd_una_ == iss_ ? iss_ + 1 : snd_una_;
}
SeqNum Connection::SndDataEnd() const {
  return SndBufStart() + snd_buf_.size();
}

// Free buffer space, less what the layer's chunk pool cannot supply (the
// window then shrinks, as it would with a smaller buffer). Bytes the layer
// holds (zero-copy receive) take buffer space as copied ones do, so the
// window is the same in both modes (RFC 9293 §3.8.6: the right edge never
// moves left, since held bytes are only released by reading).
uint32_t Connection::RcvSpace() const {
  const uint32_t a = rcv_buf_.available();
  if (rcv_held_ == 0) return a;
  const uint32_t used = rcv_buf_.size() + rcv_held_;
  const uint32_t room =
      rcv_buf_.capacity() > used ? rcv_buf_.capacity() - used : 0;
  return std::min(a, room);
}

void Connection::Drop(DropReason r) {
  ++stats_.dropped;
  if (drops_) drops_->Add(r);
}

void Connection::SetState(TcpState s, Instant now) {
  state_ = s;
  if (s == TcpState::kEstablished) OnEstablished(now);
}

void Connection::OnEstablished(Instant now) {
  events_ |= TcpEvent::kConnected | TcpEvent::kWritable;
  // RFC 6298 §5.7: after a SYN timed out, and with no RTT measured (Karn),
  // data starts with an RTO of at least 3 s.
  if (retries_ > 0 && !rtt_.has_sample()) {
    rtt_ = RttEstimator(std::max(Duration::Seconds(3), config_->rto_initial));
  }
  if (keepalive_) keepalive_deadline_ = now + config_->keepalive_idle;
  // A Shutdown() before the handshake completed (RFC 9293 §3.10.4: CLOSE in
  // SYN-RECEIVED queues the FIN).
  if (fin_queued_) state_ = TcpState::kFinWait1;
}

void Connection::EnterTimeWait(Instant now) {
  state_ = TcpState::kTimeWait;
  rto_deadline_ = delack_deadline_ = persist_deadline_ = Instant::Max();
  keepalive_deadline_ = tlp_deadline_ = Instant::Max();
  timewait_deadline_ = now + config_->time_wait;
  snd_buf_.Free();
  reass_.Free();
  rcv_buf_.FreeIfEmpty();
}

void Connection::EnterClosed(ConnectionError why) {
  if (state_ == TcpState::kClosed) return;
  state_ = TcpState::kClosed;
  // RFC 1122 §4.2.3.9: a soft ICMP error is what the timeout reports.
  if (why == ConnectionError::kTimedOut && SoftErrorPending()) {
    why = ConnectionError::kUnreachable;
  }
  if (error_ == ConnectionError::kNone) error_ = why;
  rto_deadline_ = delack_deadline_ = persist_deadline_ = Instant::Max();
  keepalive_deadline_ = timewait_deadline_ = tlp_deadline_ = Instant::Max();
  rack_deadline_ = Instant::Max();
  log_.Release(snd_buf_.pool());
  ack_now_ = retransmit_head_ = probe_due_ = force_send_ = tlp_due_ = false;
  snd_buf_.Free();
  reass_.Free();
  // Unread data stays readable after a graceful end; an error discards it.
  if (why != ConnectionError::kNone || orphaned_) {
    rcv_buf_.Free();
    rcv_held_ = 0;  // the layer drops its held mbufs (TcpLayer::Update)
  }
  rcv_buf_.FreeIfEmpty();
  events_ |= TcpEvent::kClosed;
  if (error_ != ConnectionError::kNone) events_ |= TcpEvent::kError;
}

// Why Send (or SendReserve/SendCommit) cannot take bytes now, if so.
std::optional<SendError> Connection::SendRefused() const {
  switch (state_) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
      break;
    case TcpState::kClosed:
      // Never opened, as opposed to ended (gracefully or not).
      return error_ == ConnectionError::kNone && !orphaned_ && !fin_queued_
                 ? SendError::kNotConnected
                 : SendError::kClosed;
    default:
      return SendError::kClosed;
  }
  if (fin_queued_) return SendError::kClosed;
  return std::nullopt;
}

SendResult Connection::Send(ConstByteSpan data) {
  if (auto e = SendRefused()) return SendResult::Err(*e);
  size_t n = snd_buf_.Append(data);
  if (n == 0 && !data.empty()) return SendResult::Err(SendError::kWouldBlock);
  return SendResult::Ok(n);
}

SendResult Connection::SendReserve(size_t n, ByteSpan out[2]) {
  out[0] = out[1] = {};
  if (auto e = SendRefused()) return SendResult::Err(*e);
  const uint32_t room = snd_buf_.Reserve(
      static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)), out);
  if (room == 0 && n != 0) return SendResult::Err(SendError::kWouldBlock);
  return SendResult::Ok(room);
}

SendResult Connection::SendOwned(OwnedBytes& data) {
  if (auto e = SendRefused()) return SendResult::Err(*e);
  const size_t n = data.size();
  if (!snd_buf_.AppendOwned(data)) {
    return SendResult::Err(SendError::kWouldBlock);
  }
  return SendResult::Ok(n);
}

SendResult Connection::SendCommit(size_t n) {
  if (auto e = SendRefused()) return SendResult::Err(*e);
  // The same room SendReserve gave (the tail has not moved since), so the
  // chunks under it are held.
  ByteSpan room[2];
  const uint32_t k = snd_buf_.Reserve(
      static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)), room);
  snd_buf_.Extend(k);
  return SendResult::Ok(k);
}

// What Recv answers with nothing buffered.
RecvResult Connection::RecvEmpty() const {
  if (error_ != ConnectionError::kNone) {
    return RecvResult::Err(RecvError::kReset);
  }
  if (fin_received_) return RecvResult::Err(RecvError::kEof);
  return RecvResult::Err(RecvError::kWouldBlock);
}

// After bytes left the receive buffer; `cur` is the window advertised
// before they did.
void Connection::AfterRead(uint32_t cur) {
  // Window update: WindowField() already applies receiver SWS avoidance
  // (RFC 1122 §4.2.3.3); like Linux, announce the opening right away only
  // when the window was below one MSS or at least doubles.
  const uint32_t wnd = uint32_t{WindowField(false)} << rcv_scale_;
  if (connected() && !fin_received_ && wnd > cur &&
      (cur < effective_mss() || wnd >= 2 * cur)) {
    ack_now_ = true;
  }
  // Drained: its chunks go back to the pool (nothing is held beyond the
  // stored bytes when no out-of-order range is).
  if (rcv_buf_.empty() && (fin_received_ || closed() || reass_.empty())) {
    rcv_buf_.Free();
  }
}

RecvResult Connection::Recv(ByteSpan out) {
  if (rcv_buf_.empty()) return RecvEmpty();
  const uint32_t cur =
      rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0;
  size_t n = rcv_buf_.Read(out);
  AfterRead(cur);
  return RecvResult::Ok(n);
}

void Connection::ConsumeHeld(uint32_t n) {
  n = std::min(n, rcv_held_);
  if (n == 0) return;
  const uint32_t cur = RcvWnd();
  rcv_held_ -= n;
  AfterRead(cur);
}

RecvResult Connection::RecvPeek(ConstByteSpan out[2]) const {
  out[0] = out[1] = {};
  if (rcv_buf_.empty()) return RecvEmpty();
  const uint32_t n = std::min(rcv_buf_.size(), ByteRing::kChunkSize);
  rcv_buf_.Peek(0, n, out);
  return RecvResult::Ok(n);
}

RecvResult Connection::RecvConsume(size_t n) {
  if (rcv_buf_.empty()) return RecvEmpty();
  const uint32_t cur =
      rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0;
  const uint32_t k =
      static_cast<uint32_t>(std::min<size_t>(n, rcv_buf_.size()));
  rcv_buf_.Consume(k);
  AfterRead(cur);
  return RecvResult::Ok(k);
}

void Connection::Shutdown() {
  if (fin_queued_) return;
  switch (state_) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
      // Queued: sent once ESTABLISHED (OnEstablished).
      fin_queued_ = true;
      fin_seq_ = SndDataEnd();
      return;
    case TcpState::kEstablished:
      fin_queued_ = true;
      fin_seq_ = SndDataEnd();
      state_ = TcpState::kFinWait1;  // RFC 9293 §3.10.4
      return;
    case TcpState::kCloseWait:
      fin_queued_ = true;
      fin_seq_ = SndDataEnd();
      state_ = TcpState::kLastAck;
      return;
    default:
      return;
  }
}

void Connection::Close() {
  if (state_ == TcpState::kClosed || orphaned_) return;
  orphaned_ = true;
  // In FIN-WAIT-2 already: PollAt, right after this call, arms
  // fin_wait2_timeout.
  if (state_ == TcpState::kSynSent) {
    EnterClosed(ConnectionError::kNone);  // §3.10.4: delete the TCB
    return;
  }
  // RFC 2525 §2.17 (and Linux): closing with unread data, or SO_LINGER 0,
  // resets instead of a FIN that would claim all data was delivered.
  if (linger_zero_ || !rcv_buf_.empty() || rcv_held_ > 0) {
    orphaned_ = false;
    Abort();
    return;
  }
  Shutdown();
}

void Connection::Abort() {
  switch (state_) {
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kCloseWait:
      // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>.
      rst_ = {snd_max_, SeqNum(), TcpFlag::kRst, ts_ok_};
      rst_pending_ = true;
      break;
    default:
      break;
  }
  EnterClosed(ConnectionError::kAborted);
  rcv_buf_.Free();
  rcv_held_ = 0;
}

void Connection::Fail(ConnectionError why) {
  EnterClosed(why);
  rcv_buf_.Free();
  rcv_held_ = 0;
}

}  // namespace skiff
