// The public Stack (include/skiff/stack.h): a thin facade over StackCore
// that maps the sans-IO core's IoResult onto Result and
// answers every stale id the same way, kBadSocket, before the core sees it.
#include "skiff/stack.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "stack/counters.h"
#include "stack/stack_config.h"
#include "stack/stack_core.h"

namespace skiff {
namespace {

StackConfig FromPublic(const Config& c) {
  StackConfig s;
  s.address = c.address;
  s.extra_addresses = c.extra_addresses;
  s.gateway = c.gateway;
  s.ttl = c.ttl;
  s.gro = c.gro;
  s.tcp.max_connections = c.max_connections;
  s.tcp.buffer_pool_bytes = c.buffer_pool_bytes;
  s.tcp.zero_copy_max_held = c.zero_copy_max_held;
  TcpConfig& t = s.tcp.connection;
  t.send_buffer_size = c.send_buffer_size;
  t.recv_buffer_size = c.recv_buffer_size;
  t.no_delay = c.no_delay;
  t.keepalive_idle = c.keepalive_idle;
  t.keepalive_interval = c.keepalive_interval;
  t.keepalive_count = c.keepalive_count;
  return s;
}

CloseReason ToPublic(ConnectionError e) {
  switch (e) {
    case ConnectionError::kNone:
      return CloseReason::kNone;
    case ConnectionError::kRefused:
      return CloseReason::kRefused;
    case ConnectionError::kReset:
      return CloseReason::kReset;
    case ConnectionError::kTimedOut:
      return CloseReason::kTimedOut;
    case ConnectionError::kUnreachable:
      return CloseReason::kUnreachable;
    case ConnectionError::kAborted:
      return CloseReason::kAborted;
  }
  return CloseReason::kNone;
}

SocketInfo InfoOf(const Connection& c) {
  SocketInfo i;
  i.state = c.state();
  i.error = ToPublic(c.error());
  i.local_addr = c.tuple().local_addr;
  i.local_port = c.tuple().local_port;
  i.remote_addr = c.tuple().remote_addr;
  i.remote_port = c.tuple().remote_port;
  i.rtt = c.rtt().srtt();
  i.rttvar = c.rtt().rttvar();
  i.rto = c.rto();
  i.mss = c.effective_mss();
  i.cwnd = c.cwnd();
  i.ssthresh = c.ssthresh();
  const TcpConnStats st = c.stats();
  i.retransmits = st.retransmits;
  i.bytes_sent = st.bytes_out;
  i.bytes_received = st.bytes_in;
  i.segs_out = st.segs_out;
  i.segs_in = st.segs_in;
  // snd_una counts our SYN, and our FIN once acknowledged (RFC 9293
  // §3.4): after FIN-WAIT-1 it was.
  int64_t acked = int64_t{c.snd_una() - c.iss()} - 1;
  const TcpState s = c.state();
  if (s == TcpState::kFinWait2 || s == TcpState::kTimeWait) --acked;
  i.bytes_acked = acked > 0 ? static_cast<uint64_t>(acked) : 0;
  i.send_queued = static_cast<uint32_t>(c.send_queued());
  i.recv_queued = static_cast<uint32_t>(c.recv_queued());
  return i;
}

template <typename T, typename E>
Result<T, E> Err(E e) {
  return Result<T, E>::Error(e);
}

Result<Unit, SocketError> BadSocket() {
  return Err<Unit>(SocketError::kBadSocket);
}

}  // namespace

// The internal handler interface speaks uint8_t masks; the public one
// TcpEvents. The bits are the same (static_asserts below).
static_assert(static_cast<uint8_t>(TcpEvents::kConnected) ==
              TcpEvent::kConnected);
static_assert(static_cast<uint8_t>(TcpEvents::kReadable) ==
              TcpEvent::kReadable);
static_assert(static_cast<uint8_t>(TcpEvents::kWritable) ==
              TcpEvent::kWritable);
static_assert(static_cast<uint8_t>(TcpEvents::kClosed) == TcpEvent::kClosed);
static_assert(static_cast<uint8_t>(TcpEvents::kError) == TcpEvent::kError);

class EventAdapter final : public TcpEventHandler {
 public:
  explicit EventAdapter(EventHandler* to) : to_(to) {}
  void OnAcceptable(ListenerId l) override { to_->OnAcceptable(l); }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    to_->OnSocketEvent(s, static_cast<TcpEvents>(ev));
  }

 private:
  EventHandler* to_;
};

Stack::Stack(Device& device, const Config& config)
    : Stack(device, FromPublic(config)) {}

Stack::Stack(Device& device, const StackConfig& config)
    : core_(std::make_unique<StackCore>(device, config)) {}

Stack::~Stack() = default;

void Stack::Start(Instant now) { core_->Start(now); }

void Stack::Poll(Instant now) {
  if (handler_ == nullptr) {
    core_->SetEventHandler(nullptr);
    core_->Poll(now);
    return;
  }
  EventAdapter adapter(handler_);  // lives for this turn only
  core_->SetEventHandler(&adapter);
  core_->Poll(now);
  core_->SetEventHandler(nullptr);
}

Instant Stack::NextDeadline() const { return core_->NextDeadline(); }

void Stack::SetEventHandler(EventHandler* handler) { handler_ = handler; }

Result<ListenerId, ListenError> Stack::Listen(uint16_t port, uint32_t backlog) {
  return core_->Listen(port, backlog);
}

Result<Unit, SocketError> Stack::CloseListener(ListenerId listener) {
  if (!core_->HasListener(listener)) return BadSocket();
  core_->CloseListener(listener);
  return Unit{};
}

Result<SocketId, AcceptError> Stack::Accept(ListenerId listener) {
  if (!core_->HasListener(listener)) {
    return Err<SocketId>(AcceptError::kBadSocket);
  }
  SocketId s = core_->Accept(listener);
  if (!s.valid()) return Err<SocketId>(AcceptError::kWouldBlock);
  return s;
}

Result<SocketId, ConnectError> Stack::Connect(Ipv4Address remote,
                                              uint16_t port) {
  return core_->Connect(remote, port);
}

Result<SocketId, ConnectError> Stack::Connect(Ipv4Address remote, uint16_t port,
                                              Ipv4Address source) {
  return core_->Connect(remote, port, source);
}

Result<size_t, SendError> Stack::Send(SocketId s, ConstByteSpan data) {
  if (core_->Find(s) == nullptr) return Err<size_t>(SendError::kBadSocket);
  SendResult r = core_->Send(s, data);
  if (!r.ok()) return Err<size_t>(r.error());
  return r.value();
}

Result<size_t, RecvError> Stack::Recv(SocketId s, ByteSpan out) {
  if (core_->Find(s) == nullptr) return Err<size_t>(RecvError::kBadSocket);
  RecvResult r = core_->Recv(s, out);
  if (!r.ok()) return Err<size_t>(r.error());
  return r.value();
}

Result<Unit, SocketError> Stack::Shutdown(SocketId s) {
  if (core_->Find(s) == nullptr) return BadSocket();
  core_->Shutdown(s);
  return Unit{};
}

Result<Unit, SocketError> Stack::Close(SocketId s) {
  if (core_->Find(s) == nullptr) return BadSocket();
  core_->Close(s);
  return Unit{};
}

Result<Unit, SocketError> Stack::Abort(SocketId s) {
  if (core_->Find(s) == nullptr) return BadSocket();
  core_->Abort(s);
  return Unit{};
}

Result<RingSpans<const std::byte>, RecvError> Stack::RecvPeek(SocketId s) {
  Connection* c = core_->Find(s);
  if (c == nullptr) {
    return Err<RingSpans<const std::byte>>(RecvError::kBadSocket);
  }
  ConstByteSpan parts[2];
  RecvResult r = core_->RecvPeek(s, parts);  // kept mbufs first
  if (!r.ok()) return Err<RingSpans<const std::byte>>(r.error());
  return RingSpans<const std::byte>{parts[0], parts[1]};
}

Result<size_t, RecvError> Stack::RecvConsume(SocketId s, size_t n) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return Err<size_t>(RecvError::kBadSocket);
  RecvResult r = core_->RecvConsume(s, n);  // a window update may be due
  if (!r.ok()) return Err<size_t>(r.error());
  return r.value();
}

Result<RingSpans<std::byte>, SendError> Stack::SendReserve(SocketId s,
                                                           size_t n) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return Err<RingSpans<std::byte>>(SendError::kBadSocket);
  ByteSpan parts[2];
  SendResult r = c->SendReserve(n, parts);
  if (!r.ok()) return Err<RingSpans<std::byte>>(r.error());
  return RingSpans<std::byte>{parts[0], parts[1]};
}

Result<size_t, SendError> Stack::SendCommit(SocketId s, size_t n) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return Err<size_t>(SendError::kBadSocket);
  SendResult r = c->SendCommit(n);
  core_->Touch(s);  // the new bytes are output due
  if (!r.ok()) return Err<size_t>(r.error());
  return r.value();
}

void RecvBuffer::Reset() {
  if (mbuf_ != nullptr) {
    rte_pktmbuf_free(static_cast<rte_mbuf*>(std::exchange(mbuf_, nullptr)));
  }
  copy_.reset();
  bytes_ = {};
}

Result<Unit, SocketError> Stack::SetZeroCopyRecv(SocketId s, bool on) {
  if (core_->Find(s) == nullptr) return BadSocket();
  core_->SetZeroCopyRecv(s, on);
  return Unit{};
}

Result<RecvBuffer, RecvError> Stack::RecvZeroCopy(SocketId s) {
  if (core_->Find(s) == nullptr) return Err<RecvBuffer>(RecvError::kBadSocket);
  RecvBuffer b;
  if (Packet p = core_->TakeHeld(s)) {
    b.bytes_ = p.data();
    b.mbuf_ = p.Release();
    return b;
  }
  // The head of the stream is in the receive ring: copied out, honestly.
  ConstByteSpan parts[2];
  RecvResult r = core_->RecvPeek(s, parts);
  if (!r.ok()) return Err<RecvBuffer>(r.error());
  const size_t n = r.value();
  b.copy_ = std::make_unique_for_overwrite<std::byte[]>(n);
  std::memcpy(b.copy_.get(), parts[0].data(), parts[0].size());
  if (!parts[1].empty()) {
    std::memcpy(b.copy_.get() + parts[0].size(), parts[1].data(),
                parts[1].size());
  }
  b.bytes_ = ConstByteSpan(b.copy_.get(), n);
  core_->RecvConsume(s, n);
  return b;
}

Result<size_t, SendError> Stack::SendOwned(SocketId s, OwnedBytes&& data) {
  if (core_->Find(s) == nullptr) return Err<size_t>(SendError::kBadSocket);
  SendResult r = core_->SendOwned(s, data);
  if (!r.ok()) return Err<size_t>(r.error());
  return r.value();
}

Result<Unit, SocketError> Stack::SetNoDelay(SocketId s, bool on) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return BadSocket();
  c->SetNoDelay(on);
  core_->Touch(s);  // held-back small segments may go now
  return Unit{};
}

Result<Unit, SocketError> Stack::SetKeepAlive(SocketId s, bool on) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return BadSocket();
  c->SetKeepAlive(on, core_->now());
  core_->Touch(s);  // its timer moved
  return Unit{};
}

Result<Unit, SocketError> Stack::SetLingerZero(SocketId s, bool on) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return BadSocket();
  c->SetLingerZero(on);
  return Unit{};
}

Result<Unit, SocketError> Stack::SetSendBufferSize(SocketId s, uint32_t bytes) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return BadSocket();
  if (!c->SetSendBufferSize(bytes)) return Err<Unit>(SocketError::kUnsupported);
  return Unit{};
}

Result<Unit, SocketError> Stack::SetRecvBufferSize(SocketId s, uint32_t bytes) {
  Connection* c = core_->Find(s);
  if (c == nullptr) return BadSocket();
  if (!c->SetRecvBufferSize(bytes)) return Err<Unit>(SocketError::kUnsupported);
  return Unit{};
}

Result<SocketInfo, SocketError> Stack::Info(SocketId s) const {
  const Connection* c = core_->tcp().Find(s);
  if (c == nullptr) return Err<SocketInfo>(SocketError::kBadSocket);
  return InfoOf(*c);
}

void Stack::ForEachSocket(
    const std::function<void(SocketId, const SocketInfo&)>& fn) const {
  core_->tcp().VisitOwnedSockets(
      [&](SocketId s, const Connection& c) { fn(s, InfoOf(c)); });
}

void Stack::ForEachCounter(
    const std::function<void(std::string_view, uint64_t)>& fn) const {
  VisitCounters(core_->counters(), [&](std::string_view name, uint64_t v) {
    if (v != 0) fn(name, v);
  });
}

Ipv4Address Stack::address() const { return core_->address(); }

}  // namespace skiff
