#include "stack/sockets/tcp_layer.h"

#include <utility>

#include "stack/sockets/host_secret.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace skiff {
namespace {

TcpLayerConfig WithSecret(TcpLayerConfig config) {
  // RFC 6528 §3: unpredictable, and the host's (host_secret.h says why).
  if (config.secret == SipKey{}) config.secret = HostSecret();
  return config;
}

}  // namespace

TcpLayer::TcpLayer(const TcpLayerConfig& config, LocalAddresses local,
                   uint16_t mtu, bool checksum_offload, PacketPool& pool,
                   IpSender& ip, DropCounters& drops, Instant now)
    : config_(WithSecret(config)),
      port_secret_(config.secret != SipKey{} ? config.secret : RandomSecret()),
      local_(std::move(local)),
      ip_(ip),
      drops_(drops),
      isn_(config_.secret),
      cookies_(config_.secret),
      writer_(pool, ip, checksum_offload, drops),
      buffers_(config.buffer_pool_bytes),
      challenge_acks_(config.challenge_ack_limit),
      sockets_(config.max_connections),
      listeners_(config.max_listeners),
      wheel_(now) {
  // RFC 9293 §3.7.1: our MSS is what the interface carries minus the
  // fixed IPv4 and TCP headers.
  const uint16_t mss_from_mtu =
      static_cast<uint16_t>(mtu - Ipv4Repr::kLen - kTcpMinHeaderLen);
  if (config_.connection.mss > mss_from_mtu)
    config_.connection.mss = mss_from_mtu;
}

// ---- input (loop step 2) ----

void TcpLayer::Input(const Ipv4View& ip, Packet pkt, Instant now) {
  ++counters_.segs_in;
  // RFC 1122 §4.2.3.10: no TCP to broadcast or multicast addresses.
  if (!local_.Contains(ip.dst())) {
    drops_.Add(DropReason::kTcpBroadcast);
    return;
  }
  DropReason why;
  std::optional<TcpView> view = TcpView::Parse(pkt.data(), &why);
  if (!view) {
    drops_.Add(why);
    return;
  }
  const RxChecksum offload = pkt.rx_l4_checksum();
  if (offload == RxChecksum::kBad ||
      (offload == RxChecksum::kUnknown &&
       !view->ChecksumValid(ip.src(), ip.dst()))) {
    drops_.Add(DropReason::kTcpBadChecksum);
    return;
  }
  std::optional<TcpRepr> hdr = TcpRepr::FromView(*view, &why);
  if (!hdr) {
    drops_.Add(why);
    return;
  }
  // A chain (a GRO super-segment, header in its first segment): the payload
  // is a span per segment.
  const PayloadSpans payload = pkt.is_contiguous()
                                   ? PayloadSpans(view->payload())
                                   : ChainPayload(pkt, view->header_len());
  const FourTuple tuple{ip.dst(), hdr->dst_port, ip.src(), hdr->src_port};
  if (const SlabHandle h = table_.Find(tuple); h.valid()) {
    const Socket* s = sockets_.Get(h);
    // A TIME-WAIT the application still holds is not reused: its SocketId
    // stays valid until Close() (stack.h), whatever arrives.
    if (s->conn.state() != TcpState::kTimeWait || (s->owned && !s->released) ||
        !TimeWaitReusable(s->conn, *hdr)) {
      // A chain's payload is copied out: zero-copy receive keeps single
      // mbufs only.
      InputToConnection(h, *hdr, payload, now,
                        pkt.is_contiguous() ? &pkt : nullptr);
      return;
    }
    // RFC 9293 §3.10.7.4 (TIME-WAIT) allows a new incarnation when the SYN
    // is above everything the old one saw (RFC 6191 for timestamps).
    ++counters_.time_wait_reused;
    Free(h);
  }
  if (auto it = listener_by_port_.find(hdr->dst_port);
      it != listener_by_port_.end()) {
    InputToListener(*listeners_.Get(it->second), ListenerId{it->second}, tuple,
                    *hdr, payload, now);
    return;
  }
  drops_.Add(DropReason::kTcpNoSocket);
  SendReset(tuple, *hdr, payload.size(), now);
}

PayloadSpans TcpLayer::ChainPayload(const Packet& pkt, size_t header_len) {
  chain_parts_.clear();
  chain_parts_.push_back(pkt.data().subspan(header_len));
  for (const rte_mbuf* m = pkt.mbuf()->next; m != nullptr; m = m->next) {
    chain_parts_.emplace_back(rte_pktmbuf_mtod(m, const std::byte*),
                              m->data_len);
  }
  return PayloadSpans(chain_parts_);
}

bool TcpLayer::TimeWaitReusable(const Connection& c, const TcpRepr& syn) const {
  // RFC 6191: by timestamp when the old incarnation used them, else by
  // sequence number (the connection knows which).
  return c.AcceptsNewIncarnation(syn);
}

namespace {

// Zero-copy receive: moves the segment's mbuf into the socket's hold.
class HoldKeeper final : public PayloadKeeper {
 public:
  HoldKeeper(RecvHold& hold, Packet& pkt) : hold_(hold), pkt_(pkt) {}
  bool Keep(ConstByteSpan payload) override {
    return hold_.Push(pkt_, payload);
  }

 private:
  RecvHold& hold_;
  Packet& pkt_;
};

}  // namespace

void TcpLayer::InputToConnection(SlabHandle h, const TcpRepr& hdr,
                                 const PayloadSpans& payload, Instant now,
                                 Packet* pkt) {
  Socket* s = sockets_.Get(h);
  if (pkt != nullptr && s->zero_copy_recv && !payload.empty()) {
    // The payload spans stay valid if the mbuf moves into the hold.
    HoldKeeper keeper(*s->hold, *pkt);
    s->conn.OnSegment(TcpSegmentIn{hdr, payload, &keeper}, now);
  } else {
    s->conn.OnSegment(TcpSegmentIn{hdr, payload}, now);
  }
  Update(h, now);
}

// RFC 9293 §3.10.7.2, LISTEN state.
void TcpLayer::InputToListener(Listener& l, ListenerId lid,
                               const FourTuple& tuple, const TcpRepr& hdr,
                               const PayloadSpans& payload, Instant now) {
  if (hdr.has(TcpFlag::kRst)) {  // "An incoming RST should be ignored."
    drops_.Add(DropReason::kTcpRstInvalid);
    return;
  }
  if (hdr.has(TcpFlag::kAck)) {
    if (!hdr.has(TcpFlag::kSyn) &&
        InputCookieAck(l, lid, tuple, hdr, payload, now)) {
      return;
    }
    drops_.Add(DropReason::kTcpBadAck);  // "<SEQ=SEG.ACK><CTL=RST>"
    SendReset(tuple, hdr, payload.size(), now);
    return;
  }
  if (!hdr.has(TcpFlag::kSyn)) {
    drops_.Add(DropReason::kTcpBadFlags);
    return;
  }
  // An application that does not accept gets no new handshakes (Linux too
  // drops the SYN then, cookies or not).
  if (l.accept_queue_full()) {
    drops_.Add(DropReason::kTcpAcceptQueueFull);
    return;
  }
  // Bounded queues: a SYN flood fills the SYN queue and stops there; it
  // never takes slots from established connections. Past that, RFC 4987
  // §3.6: a SYN cookie answers without keeping state.
  if (l.syn_queue_full() || sockets_.full()) {
    if (config_.syn_cookies) {
      SendSynCookie(l, tuple, hdr, now);
    } else {
      drops_.Add(l.syn_queue_full() ? DropReason::kTcpSynQueueFull
                                    : DropReason::kTcpTableFull);
    }
    return;
  }
  const SlabHandle h = sockets_.Emplace(config_.connection, &drops_, &buffers_,
                                        &challenge_acks_);
  if (!h.valid()) {
    drops_.Add(DropReason::kTcpTableFull);
    return;
  }
  Socket* s = sockets_.Get(h);
  s->parent = lid;
  s->in_syn_queue = true;
  ++l.syn_queue;
  // Step 4: a dedicated socket for the client's 4-tuple.
  // RFC 7323 §7.1: TSval offset per 4-tuple (stable, for RFC 6191 reuse).
  s->conn.SetTimestampOffset(isn_.TimestampOffset(tuple));
  s->conn.AcceptSyn(tuple, isn_.Next(tuple, now), hdr, now);
  table_.Insert(h);
  ++counters_.passive_opens;
  Update(h, now);
}

void TcpLayer::SendSynCookie(Listener& l, const FourTuple& tuple,
                             const TcpRepr& syn, Instant now) {
  l.last_cookie = now;
  const uint32_t ts_offset =
      syn.options.timestamp ? isn_.TimestampOffset(tuple) : 0;
  writer_.Target(tuple, now);
  if (writer_.Emit(TcpSegmentOut{
          cookies_.SynAck(tuple, syn, config_.connection, ts_offset, now),
          {}})) {
    ++counters_.syncookies_sent;
  }
}

// RFC 4987 §3.6: an ACK to a listener that sent SYN cookies lately may
// complete a handshake nothing was kept for. False when it carries no
// valid cookie: the caller answers it as an ACK in LISTEN.
bool TcpLayer::InputCookieAck(Listener& l, ListenerId lid,
                              const FourTuple& tuple, const TcpRepr& hdr,
                              const PayloadSpans& payload, Instant now) {
  if (!config_.syn_cookies || now - l.last_cookie >= SynCookies::kPeriod * 2)
    return false;
  std::optional<SynCookies::Decoded> cookie = cookies_.Check(tuple, hdr, now);
  if (!cookie) {
    ++counters_.syncookies_failed;
    return false;
  }
  ++counters_.syncookies_validated;
  // As in Linux: with the application behind, the ACK is dropped; the
  // peer's next segment (a retransmission, or its data) still carries a
  // valid cookie for up to two minutes.
  if (l.accept_queue_full()) {
    drops_.Add(DropReason::kTcpAcceptQueueFull);
    return true;
  }
  const SlabHandle h = sockets_.Emplace(config_.connection, &drops_, &buffers_,
                                        &challenge_acks_);
  if (!h.valid()) {
    drops_.Add(DropReason::kTcpTableFull);
    return true;
  }
  Socket* s = sockets_.Get(h);
  s->parent = lid;
  s->conn.SetTimestampOffset(isn_.TimestampOffset(tuple));
  s->conn.AcceptCookie(tuple, cookie->iss, cookie->syn, hdr, now);
  table_.Insert(h);
  ++counters_.passive_opens;
  QueueForAccept(l, lid, h);
  InputToConnection(h, hdr, payload, now);  // data or FIN on the ACK
  return true;
}

void TcpLayer::SendReset(const FourTuple& tuple, const TcpRepr& seg,
                         size_t payload_len, Instant now) {
  std::optional<TcpRepr> rst = ResetFor(seg, payload_len);
  if (!rst) return;  // never a RST for a RST
  ++counters_.resets_out;
  writer_.Target(tuple, now);
  writer_.Emit(TcpSegmentOut{*rst, {}});
}

// ---- bookkeeping after every touch ----

void TcpLayer::Update(SlabHandle h, Instant now) {
  Socket* s = sockets_.Get(h);
  if (s == nullptr) return;
  // A deadline that passed since the wheel's last tick (it fires on 1 ms
  // ticks) fires at the touch that finds it: left for the tick, PollAt
  // would answer "now" and the connection would sit on the pending list
  // with nothing to send, the loop spinning until the tick.
  if (s->conn.NextDeadline() <= now) s->conn.OnTimers(now);
  // The connection discarded its unread data (reset, abort): so do we.
  if (s->hold != nullptr && s->conn.rcv_held() == 0) s->hold->Clear();
  const uint8_t ev = s->conn.TakeEvents();
  if ((ev & TcpEvent::kConnected) != 0 && !s->was_connected) {
    s->was_connected = true;
    ++counters_.established;
  }
  if (s->parent.valid()) {
    OnQueuedEvents(h, *s, ev);
  } else if (ev != 0 && s->owned) {
    s->events |= ev;
    if (!s->on_events) {
      s->on_events = true;
      events_.push_back(h);
    }
  }
  const bool due = s->conn.PollAt(now) <= now;
  if (s->conn.closed() && !due && (!s->owned || s->released) &&
      !s->parent.valid()) {
    Free(h);
    return;
  }
  if (due && !s->on_pending) {
    s->on_pending = true;
    pending_.push_back(h);
  }
  const Instant deadline = s->conn.NextDeadline();
  if (deadline < s->wheel_deadline) {
    wheel_.Schedule(deadline, h);
    s->wheel_deadline = deadline;
  }
}

// Events of a connection the application has not accepted yet.
void TcpLayer::OnQueuedEvents(SlabHandle h, Socket& s, uint8_t ev) {
  Listener* l = listeners_.Get(s.parent.handle);
  if (l == nullptr) {  // the listener was closed under it
    s.parent = {};
    s.in_syn_queue = false;
    if (!s.conn.closed()) s.conn.Abort();
    return;
  }
  s.events |= ev;
  if (s.in_syn_queue && (s.conn.connected() || s.conn.closed())) {
    s.in_syn_queue = false;
    --l->syn_queue;
    if (s.conn.connected()) {
      QueueForAccept(*l, s.parent, h);
      return;
    }
  }
  if (s.conn.closed()) {  // reset or timed out before accept: forget it
    l->ForgetQueued(h);
    s.parent = {};
  }
}

void TcpLayer::QueueForAccept(Listener& l, ListenerId lid, SlabHandle h) {
  l.accept_queue.push_back(h);
  if (!l.acceptable_pending) {
    l.acceptable_pending = true;
    acceptable_.push_back(lid.handle);
  }
}

void TcpLayer::Free(SlabHandle h) {
  Socket* s = sockets_.Get(h);
  if (s == nullptr) return;
  const Connection& c = s->conn;
  AddStats(c.stats(), counters_);
  switch (c.error()) {
    case ConnectionError::kReset:
    case ConnectionError::kRefused:
      ++counters_.resets_in;
      break;
    case ConnectionError::kTimedOut:
      ++counters_.timeouts_closed;
      break;
    default:
      break;
  }
  if (!s->was_connected) ++counters_.attempt_fails;
  table_.Erase(h);  // before the slot goes (socket_table.h)
  if (s->parent.valid()) {
    if (Listener* l = listeners_.Get(s->parent.handle)) {
      if (s->in_syn_queue) --l->syn_queue;
      l->ForgetQueued(h);
    }
  }
  sockets_.Erase(h);  // pending/event/wheel entries go stale by generation
}

void TcpLayer::AddStats(const TcpConnStats& st, TcpCounters& c) const {
  c.retransmits += st.retransmits;
  c.fast_retransmits += st.fast_retransmits;
  c.rto_expirations += st.timeouts;
  c.lost_retransmits += st.lost_retransmits;
  c.loss_probes += st.loss_probes;
  c.out_of_order += st.out_of_order;
  c.dup_acks += st.dup_acks;
  c.challenge_acks += st.challenge_acks;
  c.zero_window_probes += st.zero_window_probes;
  c.bytes_in += st.bytes_in;
  c.bytes_out += st.bytes_out;
}

// ---- the loop, steps 3 to 5 ----

void TcpLayer::AdvanceTimers(Instant now) {
  wheel_.Advance(now, [&](SlabHandle h) {
    Socket* s = sockets_.Get(h);
    if (s == nullptr) return;
    s->wheel_deadline = Instant::Max();
    if (s->conn.NextDeadline() <= now) {
      // Fired here, in step 3, so that what a timer does (a close, a
      // retransmission) reaches the application in step 4 and the wire in
      // step 5 of this same turn.
      s->conn.OnTimers(now);
    }
    Update(h, now);  // pending if due; re-armed if the deadline moved later
  });
}

void TcpLayer::DeliverEvents(TcpEventHandler* handler, Instant now) {
  (void)now;
  if (!pool_waiters_.empty() && buffers_.available_bytes() > 0)
    WakePoolWaiters();
  events_scratch_.swap(acceptable_);
  for (SlabHandle lh : events_scratch_) {
    Listener* l = listeners_.Get(lh);
    if (l == nullptr) continue;
    l->acceptable_pending = false;
    if (handler != nullptr && !l->accept_queue.empty())
      handler->OnAcceptable(ListenerId{lh});
  }
  events_scratch_.clear();
  events_scratch_.swap(events_);
  for (SlabHandle h : events_scratch_) {
    Socket* s = sockets_.Get(h);
    if (s == nullptr) continue;
    s->on_events = false;
    const uint8_t ev = std::exchange(s->events, 0);
    if (handler != nullptr && ev != 0) handler->OnSocketEvent(SocketId{h}, ev);
  }
  events_scratch_.clear();
}

// Every waiter retries; those that find the pool empty again queue anew.
void TcpLayer::WakePoolWaiters() {
  for (SlabHandle h : pool_waiters_) {
    Socket* s = sockets_.Get(h);
    if (s == nullptr || !s->waits_for_pool) continue;
    s->waits_for_pool = false;
    if (s->released) continue;  // closed meanwhile: nobody to tell
    s->events |= TcpEvent::kWritable;
    if (!s->on_events) {
      s->on_events = true;
      events_.push_back(h);
    }
  }
  pool_waiters_.clear();
}

void TcpLayer::PollTransmit(Instant now) {
  pending_scratch_.swap(pending_);
  for (SlabHandle h : pending_scratch_) {
    Socket* s = sockets_.Get(h);
    if (s == nullptr) continue;
    s->on_pending = false;
    writer_.Target(s->conn.tuple(), now);
    s->conn.PollTransmit(now, writer_);
    Update(h, now);
  }
  pending_scratch_.clear();
  counters_.segs_out = writer_.segments_out();
}

Instant TcpLayer::NextDeadline() const {
  if (!pending_.empty() || !events_.empty() || !acceptable_.empty() ||
      (!pool_waiters_.empty() && buffers_.available_bytes() > 0))
    return Instant();  // now
  return wheel_.next_tick();
}

// ---- the socket API ----

ListenResult TcpLayer::Listen(uint16_t port, uint32_t backlog) {
  if (port == 0) return ListenResult::Error(ListenError::kInvalidPort);
  if (listener_by_port_.contains(port))
    return ListenResult::Error(ListenError::kAddressInUse);
  const SlabHandle h = listeners_.Emplace();
  if (!h.valid()) return ListenResult::Error(ListenError::kNoMemory);
  Listener* l = listeners_.Get(h);
  l->port = port;
  l->backlog = backlog == 0 ? 1 : backlog;
  listener_by_port_.emplace(port, h);
  return ListenerId{h};
}

void TcpLayer::CloseListener(ListenerId id, Instant now) {
  Listener* l = listeners_.Get(id.handle);
  if (l == nullptr) return;
  std::deque<SlabHandle> queued = std::move(l->accept_queue);
  listener_by_port_.erase(l->port);
  listeners_.Erase(id.handle);
  // Connections nobody accepted are reset; those still in the handshake
  // find their listener gone at their next event and are reset then.
  for (SlabHandle h : queued) {
    if (Socket* s = sockets_.Get(h)) {
      s->parent = {};
      s->conn.Abort();
      Update(h, now);
    }
  }
}

SocketId TcpLayer::Accept(ListenerId id) {
  Listener* l = listeners_.Get(id.handle);
  while (l != nullptr && !l->accept_queue.empty()) {
    const SlabHandle h = l->accept_queue.front();
    l->accept_queue.pop_front();
    Socket* s = sockets_.Get(h);
    if (s == nullptr) continue;
    s->parent = {};
    s->owned = true;
    ++counters_.accepts;
    // Whatever happened while it waited (data, FIN) is reported now.
    if (s->events != 0 && !s->on_events) {
      s->on_events = true;
      events_.push_back(h);
    }
    return SocketId{h};
  }
  return SocketId{};
}

bool TcpLayer::PickEphemeralPort(Ipv4Address source, Ipv4Address remote,
                                 uint16_t port, FourTuple* t) {
  // RFC 6056 §3.3.3 (Algorithm 3): a keyed hash of the local address and
  // the destination picks where the search starts, so ports are hard to
  // guess yet spread out; each (source, destination) pair has the whole
  // range (§2.1: only the 4-tuple must be unique).
  std::byte key[10];
  remote.Store(key);
  StoreBe16(key + 4, port);
  source.Store(key + 6);
  const uint32_t offset =
      static_cast<uint32_t>(SipHash24(port_secret_, ConstByteSpan(key)));
  if (config_.port_chooser != nullptr) {
    const uint16_t p = config_.port_chooser->Choose(
        source, remote, port, offset + ephemeral_next_++, [&](uint16_t c) {
          return !table_.Contains(FourTuple{source, c, remote, port}) &&
                 !listener_by_port_.contains(c);
        });
    *t = FourTuple{source, p, remote, port};
    return p != 0;
  }
  const uint32_t count =
      uint32_t{config_.ephemeral_last} - config_.ephemeral_first + 1;
  for (uint32_t i = 0; i < count; ++i) {
    const uint16_t p = static_cast<uint16_t>(
        config_.ephemeral_first + (offset + ephemeral_next_ + i) % count);
    *t = FourTuple{source, p, remote, port};
    if (!table_.Contains(*t) && !listener_by_port_.contains(p)) {
      ephemeral_next_ += i + 1;
      return true;
    }
  }
  return false;
}

ConnectResult TcpLayer::Connect(Ipv4Address remote, uint16_t port, Instant now,
                                Ipv4Address source) {
  if (source.IsAny()) source = local_.primary();
  if (remote.IsAny() || remote.IsBroadcast() || remote.IsMulticast() ||
      local_.Contains(remote) || port == 0 || !local_.Contains(source))
    return ConnectResult::Error(ConnectError::kInvalidAddress);
  if (!ip_.HasRoute(remote))
    return ConnectResult::Error(ConnectError::kNoRoute);
  if (sockets_.full()) return ConnectResult::Error(ConnectError::kTableFull);
  FourTuple tuple;
  if (!PickEphemeralPort(source, remote, port, &tuple))
    return ConnectResult::Error(ConnectError::kNoEphemeralPort);
  const SlabHandle h = sockets_.Emplace(config_.connection, &drops_, &buffers_,
                                        &challenge_acks_);
  Socket* s = sockets_.Get(h);
  s->owned = true;
  s->conn.SetTimestampOffset(isn_.TimestampOffset(tuple));
  s->conn.Connect(tuple, isn_.Next(tuple, now), now);
  table_.Insert(h);
  ++counters_.active_opens;
  Update(h, now);
  return SocketId{h};
}

TcpLayer::Socket* TcpLayer::Owned(SocketId id) {
  Socket* s = sockets_.Get(id.handle);
  return s != nullptr && s->owned && !s->released ? s : nullptr;
}

Connection* TcpLayer::Find(SocketId id) {
  Socket* s = Owned(id);
  return s != nullptr ? &s->conn : nullptr;
}

const Connection* TcpLayer::Find(SocketId id) const {
  return const_cast<TcpLayer*>(this)->Find(id);
}

SendResult TcpLayer::Send(SocketId id, ConstByteSpan data, Instant now) {
  Socket* s = Owned(id);
  if (s == nullptr) return SendResult::Err(SendError::kClosed);
  SendResult r = s->conn.Send(data);
  // Refused for want of pool chunks, not for its own full buffer: an ACK
  // of its own data will not come to wake it, chunks freed by others must.
  if (!r.ok() && r.error() == SendError::kWouldBlock &&
      s->conn.send_queued() == 0 && !s->waits_for_pool) {
    s->waits_for_pool = true;
    pool_waiters_.push_back(id.handle);
  }
  Update(id.handle, now);
  return r;
}

RecvResult TcpLayer::Recv(SocketId id, ByteSpan out, Instant now) {
  Socket* s = Owned(id);
  if (s == nullptr) return RecvResult::Err(RecvError::kReset);
  size_t held = 0;
  if (s->hold != nullptr && !s->hold->empty()) {  // [held][ring]
    held = s->hold->Read(out);
    s->conn.ConsumeHeld(static_cast<uint32_t>(held));
  }
  RecvResult r = held == out.size() && held > 0
                     ? RecvResult::Ok(0)
                     : s->conn.Recv(out.subspan(held));
  if (held > 0) r = RecvResult::Ok(held + (r.ok() ? r.value() : 0));
  Update(id.handle, now);  // a window update may now be due
  return r;
}

RecvResult TcpLayer::RecvPeek(SocketId id, ConstByteSpan out[2]) {
  Socket* s = Owned(id);
  out[0] = out[1] = {};
  if (s == nullptr) return RecvResult::Err(RecvError::kReset);
  if (s->hold != nullptr && !s->hold->empty()) {
    out[0] = s->hold->Front();
    return RecvResult::Ok(out[0].size());
  }
  return s->conn.RecvPeek(out);
}

RecvResult TcpLayer::RecvConsume(SocketId id, size_t n, Instant now) {
  Socket* s = Owned(id);
  if (s == nullptr) return RecvResult::Err(RecvError::kReset);
  size_t held = 0;
  if (s->hold != nullptr && !s->hold->empty()) {
    held = s->hold->Consume(n);
    s->conn.ConsumeHeld(static_cast<uint32_t>(held));
  }
  RecvResult r =
      held == n && held > 0 ? RecvResult::Ok(0) : s->conn.RecvConsume(n - held);
  if (held > 0) r = RecvResult::Ok(held + (r.ok() ? r.value() : 0));
  Update(id.handle, now);
  return r;
}

void TcpLayer::SetZeroCopyRecv(SocketId id, bool on) {
  Socket* s = Owned(id);
  if (s == nullptr) return;
  s->zero_copy_recv = on;
  if (on && s->hold == nullptr) {
    s->hold = std::make_unique<RecvHold>(config_.zero_copy_max_held);
  }
}

Packet TcpLayer::TakeHeld(SocketId id, Instant now) {
  Socket* s = Owned(id);
  if (s == nullptr || s->hold == nullptr || s->hold->empty()) return Packet();
  Packet p = s->hold->PopFront();
  s->conn.ConsumeHeld(static_cast<uint32_t>(p.data().size()));
  Update(id.handle, now);
  return p;
}

SendResult TcpLayer::SendOwned(SocketId id, OwnedBytes& data, Instant now) {
  Socket* s = Owned(id);
  if (s == nullptr) return SendResult::Err(SendError::kClosed);
  SendResult r = s->conn.SendOwned(data);
  Update(id.handle, now);
  return r;
}

void TcpLayer::Shutdown(SocketId id, Instant now) {
  if (Socket* s = Owned(id)) {
    s->conn.Shutdown();
    Update(id.handle, now);
  }
}

void TcpLayer::Close(SocketId id, Instant now) {
  if (Socket* s = Owned(id)) {
    s->released = true;
    s->conn.Close();
    Update(id.handle, now);
  }
}

void TcpLayer::Abort(SocketId id, Instant now) {
  if (Socket* s = Owned(id)) {
    s->released = true;
    s->conn.Abort();
    Update(id.handle, now);
  }
}

TcpCounters TcpLayer::counters() const {
  TcpCounters c = counters_;
  sockets_.ForEach(
      [&](SlabHandle, const Socket& s) { AddStats(s.conn.stats(), c); });
  c.connections = sockets_.size();
  c.listeners = listeners_.size();
  return c;
}

// ---- ICMP errors (RFC 1122 §4.2.3.9, RFC 5927; see tcp_icmp.cc) ----

bool TcpLayer::OnIcmpError(const IcmpError& err, Instant now) {
  // The quote's first 8 bytes (RFC 792): ports, then the sequence number.
  const std::byte* t = err.transport.data();
  const FourTuple tuple{err.local, LoadBe16(t), err.remote, LoadBe16(t + 2)};
  const SlabHandle h = table_.Find(tuple);
  if (!h.valid()) {
    drops_.Add(DropReason::kIcmpNoSocket);
    return true;
  }
  Connection& c = sockets_.Get(h)->conn;
  // RFC 5927 §4.1: a blind attacker must also guess a sequence number in
  // flight.
  if (!c.IcmpSeqAcceptable(SeqNum(LoadBe32(t + 4)))) {
    ++counters_.icmp_errors_rejected;
    drops_.Add(DropReason::kIcmpOutOfWindow);
    return true;
  }
  ++counters_.icmp_errors_in;
  if (c.OnIcmpError(err.type, err.code, err.mtu) == IcmpReaction::kMssLowered)
    ++counters_.pmtu_mss_lowered;
  Update(h, now);  // events, a resend due, or freeing an aborted one
  return true;
}

}  // namespace skiff
