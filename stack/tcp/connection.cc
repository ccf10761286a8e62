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
      snd_(config.send_buffer_size, pool, config.rto_initial,
           config.congestion_control),
      rcv_(config.recv_buffer_size, pool) {
  no_delay_ = config.no_delay;
  keepalive_ = config.keepalive;
  linger_zero_ = config.linger_zero;
}

Connection::~Connection() {
  if (trouble_ == nullptr) return;
  if (ChunkPool* pool = snd_.buf.pool()) {
    pool->GiveStats(trouble_);
  } else {
    delete trouble_;
  }
}

TcpConnStats& Connection::Trouble() {
  if (trouble_ == nullptr) {
    ChunkPool* pool = snd_.buf.pool();
    trouble_ = pool != nullptr ? pool->TakeStats() : new TcpConnStats();
  }
  return *trouble_;
}

TcpConnStats Connection::stats() const {
  TcpConnStats st = trouble_ != nullptr ? *trouble_ : TcpConnStats{};
  st.segs_in = hot_.segs_in;
  st.segs_out = hot_.segs_out;
  st.bytes_in = hot_.bytes_in;
  st.bytes_out = hot_.bytes_out;
  return st;
}

void Connection::SetCongestionControl(CongestionAlgorithm a) {
  snd_.SetAlgorithm(a);
}

void Connection::Connect(const FourTuple& tuple, SeqNum iss, Instant now) {
  if (state_ != TcpState::kClosed) return;
  tuple_ = tuple;
  snd_.iss = snd_.una = snd_.nxt = snd_.max = iss;
  passive_ = false;
  // What we offer in the SYN; Negotiate() keeps what the SYN-ACK confirms.
  ws_ok_ = config_->window_scaling;
  rcv_.scale =
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
  snd_.iss = snd_.una = snd_.nxt = snd_.max = iss;
  passive_ = true;
  // RFC 9293 §3.10.7.2 (LISTEN, third: SYN): RCV.NXT = SEG.SEQ + 1,
  // IRS = SEG.SEQ; the window comes from the SYN, unscaled (RFC 7323 §2.2).
  rcv_.irs = syn.seq;
  rcv_.nxt = rcv_.adv = rcv_.last_ack_sent = syn.seq + 1;
  ws_ok_ = config_->window_scaling && syn.options.window_scale.has_value();
  ts_ok_ = config_->timestamps && syn.options.timestamp.has_value();
  sack_ok_ = config_->sack && syn.options.sack_permitted;
  rcv_.scale =
      ws_ok_ ? std::min(config_->window_scale_shift, kTcpMaxWindowScale) : 0;
  Negotiate(syn);
  snd_.SetWindow(syn, syn.window);
  snd_.wl2 = iss;
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
  snd_.una = snd_.nxt = snd_.max = iss + 1;
  rcv_.adv = rcv_.nxt + WindowField(true);
  snd_.SetWindow(ack, uint32_t{ack.window} << snd_.scale);
  SetState(TcpState::kEstablished, now);
}

// Keeps the options both sides offered (RFC 7323 §2.2, §3.2; RFC 2018 §2)
// and the peer's MSS (RFC 9293 §3.7.1: 536 when absent).
void Connection::Negotiate(const TcpRepr& syn) {
  const TcpOptions& o = syn.options;
  ws_ok_ = ws_ok_ && o.window_scale.has_value();
  snd_.scale = ws_ok_ ? *o.window_scale : 0;
  if (!ws_ok_) rcv_.scale = 0;
  ts_ok_ = ts_ok_ && o.timestamp.has_value();
  if (ts_ok_) rcv_.ts_recent = o.timestamp->tsval;
  sack_ok_ = sack_ok_ && o.sack_permitted;
  snd_.peer_mss = o.mss.value_or(536);
  rcv_.mss = static_cast<uint16_t>(std::min<uint32_t>(effective_mss(), 536));
}

uint32_t Connection::effective_mss() const {
  // RFC 9293 §3.7.1 / RFC 6691: options reduce the data a segment can carry.
  uint32_t m = SendMssLimit();
  if (ts_ok_) m -= 12;
  return std::max<uint32_t>(m, 64);
}

bool Connection::SetRecvBufferSize(uint32_t bytes) {
  if (state_ != TcpState::kClosed) return false;  // the window is announced
  return rcv_.buf.SetCapacity(bytes);
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
    return SeqNum(syn.options.timestamp->tsval) > SeqNum(rcv_.ts_recent);
  }
  return syn.seq > rcv_.nxt;
}

bool Connection::Synchronized() const {
  return state_ != TcpState::kClosed && state_ != TcpState::kListen &&
         state_ != TcpState::kSynSent;
}

bool Connection::connected() const {
  return Synchronized() && state_ != TcpState::kSynReceived;
}

bool Connection::readable() const {
  return !rcv_.buf.empty() || rcv_.held > 0 || rcv_.fin_received ||
         error_ != ConnectionError::kNone;
}

bool Connection::writable() const {
  switch (state_) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
      return !snd_.fin_queued && snd_.buf.available() > 0;
    default:
      return false;
  }
}

void Connection::Drop(DropReason r) {
  ++Trouble().dropped;
  if (drops_) drops_->Add(r);
}

// The one place state_ changes, with what entering each state does. `now`
// is the time of the event that causes the transition; entering
// ESTABLISHED, FIN-WAIT-2 and TIME-WAIT starts timers from it, the other
// states start none (and callers without a clock pass Instant()).
void Connection::SetState(TcpState to, Instant now) {
  state_ = to;
  switch (to) {
    case TcpState::kEstablished:
      OnEstablished(now);
      return;
    case TcpState::kFinWait2:
      // An orphaned connection does not wait for a peer that never
      // closes (Linux's tcp_fin_timeout; RFC 9293 leaves it open). A
      // Close() that comes later arms it from PollAt (ArmFinWait2).
      if (orphaned_) timewait_deadline_ = now + config_->fin_wait2_timeout;
      return;
    case TcpState::kTimeWait:
      // RFC 9293 §3.4.2: 2·MSL, nothing left to send or to reassemble.
      snd_.StopTimers();
      rcv_.delack_deadline = keepalive_deadline_ = Instant::Max();
      timewait_deadline_ = now + config_->time_wait;
      snd_.buf.Free();
      rcv_.reass.Free();
      rcv_.buf.FreeIfEmpty();
      return;
    case TcpState::kClosed:
      OnClosed();
      return;
    default:
      return;
  }
}

void Connection::OnEstablished(Instant now) {
  events_ |= TcpEvent::kConnected | TcpEvent::kWritable;
  // RFC 6298 §5.7: after a SYN timed out, and with no RTT measured (Karn),
  // data starts with an RTO of at least 3 s.
  if (snd_.retries > 0 && !snd_.rtt.has_sample()) {
    snd_.rtt =
        RttEstimator(std::max(Duration::Seconds(3), config_->rto_initial));
  }
  if (keepalive_) keepalive_deadline_ = now + config_->keepalive_idle;
  // A Shutdown() before the handshake completed (RFC 9293 §3.10.4: CLOSE in
  // SYN-RECEIVED queues the FIN).
  if (snd_.fin_queued) SetState(TcpState::kFinWait1, now);
}

void Connection::EnterClosed(ConnectionError why) {
  if (state_ == TcpState::kClosed) return;
  // RFC 1122 §4.2.3.9: a soft ICMP error is what the timeout reports.
  if (why == ConnectionError::kTimedOut && SoftErrorPending()) {
    why = ConnectionError::kUnreachable;
  }
  if (error_ == ConnectionError::kNone) error_ = why;
  SetState(TcpState::kClosed, Instant());
}

// Entering CLOSED: no timer, nothing owed but a RST, the buffers back.
void Connection::OnClosed() {
  snd_.StopTimers();
  rcv_.delack_deadline = Instant::Max();
  keepalive_deadline_ = timewait_deadline_ = Instant::Max();
  snd_.log.Release(snd_.buf.pool());
  snd_.sacked.Clear();
  const bool rst = owed_.rst;
  owed_ = {};
  owed_.rst = rst;
  snd_.buf.Free();
  rcv_.reass.Free();
  // Unread data stays readable after a graceful end; an error discards it.
  if (error_ != ConnectionError::kNone || orphaned_) {
    rcv_.buf.Free();
    rcv_.held = 0;  // the layer drops its held mbufs (TcpLayer::Update)
  }
  rcv_.buf.FreeIfEmpty();
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
      return error_ == ConnectionError::kNone && !orphaned_ && !snd_.fin_queued
                 ? SendError::kNotConnected
                 : SendError::kClosed;
    default:
      return SendError::kClosed;
  }
  if (snd_.fin_queued) return SendError::kClosed;
  return std::nullopt;
}

SendResult Connection::Send(ConstByteSpan data) {
  if (auto e = SendRefused()) return SendResult::Err(*e);
  size_t n = snd_.buf.Append(data);
  if (n == 0 && !data.empty()) return SendResult::Err(SendError::kWouldBlock);
  return SendResult::Ok(n);
}

SendResult Connection::SendReserve(size_t n, ByteSpan out[2]) {
  out[0] = out[1] = {};
  if (auto e = SendRefused()) return SendResult::Err(*e);
  const uint32_t room = snd_.buf.Reserve(
      static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)), out);
  if (room == 0 && n != 0) return SendResult::Err(SendError::kWouldBlock);
  return SendResult::Ok(room);
}

SendResult Connection::SendOwned(OwnedBytes& data) {
  if (auto e = SendRefused()) return SendResult::Err(*e);
  const size_t n = data.size();
  if (!snd_.buf.AppendOwned(data)) {
    return SendResult::Err(SendError::kWouldBlock);
  }
  return SendResult::Ok(n);
}

SendResult Connection::SendCommit(size_t n) {
  if (auto e = SendRefused()) return SendResult::Err(*e);
  // The same room SendReserve gave (the tail has not moved since), so the
  // chunks under it are held.
  ByteSpan room[2];
  const uint32_t k = snd_.buf.Reserve(
      static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)), room);
  snd_.buf.Extend(k);
  return SendResult::Ok(k);
}

// What Recv answers with nothing buffered.
RecvResult Connection::RecvEmpty() const {
  if (error_ != ConnectionError::kNone) {
    return RecvResult::Err(RecvError::kReset);
  }
  if (rcv_.fin_received) return RecvResult::Err(RecvError::kEof);
  return RecvResult::Err(RecvError::kWouldBlock);
}

// After bytes left the receive buffer; `cur` is the window advertised
// before they did.
void Connection::AfterRead(uint32_t cur) {
  // Window update: WindowField() already applies receiver SWS avoidance
  // (RFC 1122 §4.2.3.3); like Linux, announce the opening right away only
  // when the window was below one MSS or at least doubles.
  const uint32_t wnd = uint32_t{WindowField(false)} << rcv_.scale;
  if (connected() && !rcv_.fin_received && wnd > cur &&
      (cur < effective_mss() || wnd >= 2 * cur)) {
    owed_.ack = true;
  }
  // Drained: its chunks go back to the pool (nothing is held beyond the
  // stored bytes when no out-of-order range is).
  if (rcv_.buf.empty() &&
      (rcv_.fin_received || closed() || rcv_.reass.empty())) {
    rcv_.buf.Free();
  }
}

RecvResult Connection::Recv(ByteSpan out) {
  if (rcv_.buf.empty()) return RecvEmpty();
  const uint32_t cur = rcv_.Wnd();
  size_t n = rcv_.buf.Read(out);
  AfterRead(cur);
  return RecvResult::Ok(n);
}

void Connection::ConsumeHeld(uint32_t n) {
  n = std::min(n, rcv_.held);
  if (n == 0) return;
  const uint32_t cur = rcv_.Wnd();
  rcv_.held -= n;
  AfterRead(cur);
}

RecvResult Connection::RecvPeek(ConstByteSpan out[2]) const {
  out[0] = out[1] = {};
  if (rcv_.buf.empty()) return RecvEmpty();
  const uint32_t n = std::min(rcv_.buf.size(), ByteRing::kChunkSize);
  rcv_.buf.Peek(0, n, out);
  return RecvResult::Ok(n);
}

RecvResult Connection::RecvConsume(size_t n) {
  if (rcv_.buf.empty()) return RecvEmpty();
  const uint32_t cur = rcv_.Wnd();
  const uint32_t k =
      static_cast<uint32_t>(std::min<size_t>(n, rcv_.buf.size()));
  rcv_.buf.Consume(k);
  AfterRead(cur);
  return RecvResult::Ok(k);
}

void Connection::Shutdown() {
  if (snd_.fin_queued) return;
  switch (state_) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
      // Queued: sent once ESTABLISHED (OnEstablished).
      snd_.fin_queued = true;
      snd_.fin_seq = snd_.DataEnd();
      return;
    case TcpState::kEstablished:
      snd_.fin_queued = true;
      snd_.fin_seq = snd_.DataEnd();
      SetState(TcpState::kFinWait1, Instant());  // RFC 9293 §3.10.4
      return;
    case TcpState::kCloseWait:
      snd_.fin_queued = true;
      snd_.fin_seq = snd_.DataEnd();
      SetState(TcpState::kLastAck, Instant());
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
  if (linger_zero_ || !rcv_.buf.empty() || rcv_.held > 0) {
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
      rst_ = {snd_.max, SeqNum(), TcpFlag::kRst, ts_ok_};
      owed_.rst = true;
      break;
    default:
      break;
  }
  EnterClosed(ConnectionError::kAborted);
  rcv_.buf.Free();
  rcv_.held = 0;
}

void Connection::Fail(ConnectionError why) {
  EnterClosed(why);
  rcv_.buf.Free();
  rcv_.held = 0;
}

}  // namespace skiff
