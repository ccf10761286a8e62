// skiff's public embedding API: one Stack per lcore over a Device, driven
// by the application's own loop. Compiles without DPDK or Abseil headers.
//
//   skiff::Stack stack(device, config);     // device: skiff/dpdk.h
//   stack.SetEventHandler(&server);         // readiness, once per turn
//   stack.Listen(80, /*backlog=*/1024);
//   stack.Start(clock.Now());
//   while (running) stack.Poll(clock.Now());  // busy-poll, run to completion
//
// Every call is non-blocking, never throws and answers with a Result whose
// error enum belongs to the operation (skiff/errors.h); a stale or invalid
// socket id gives kBadSocket from every call. Nothing here is thread-safe:
// one Stack belongs to one thread.
#ifndef SKIFF_STACK_H_
#define SKIFF_STACK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "skiff/addr.h"
#include "skiff/bytes.h"
#include "skiff/config.h"
#include "skiff/errors.h"
#include "skiff/socket.h"
#include "skiff/time.h"
#include "skiff/zero_copy.h"

namespace skiff {

class Device;
class StackCore;
struct StackConfig;

/// Why a connection ended abnormally (SocketInfo::error).
enum class CloseReason : uint8_t {
  kNone,         ///< still open, or closed gracefully
  kRefused,      ///< RST in answer to our SYN
  kReset,        ///< RST in a synchronized state
  kTimedOut,     ///< retransmissions or keepalive probes gave up
  kUnreachable,  ///< an ICMP error ended it
  kAborted,      ///< the application called Abort()
};

/// What `ss -ti` shows about one connection.
struct SocketInfo {
  TcpState state = TcpState::kClosed;      ///< RFC 9293 state
  CloseReason error = CloseReason::kNone;  ///< why it ended, if it did
  Ipv4Address local_addr;                  ///< our address
  uint16_t local_port = 0;                 ///< our port
  Ipv4Address remote_addr;                 ///< the peer's address
  uint16_t remote_port = 0;                ///< the peer's port
  Duration rtt;                 ///< smoothed RTT (zero before a sample)
  Duration rttvar;              ///< RTT variation
  Duration rto;                 ///< current retransmission timeout
  uint32_t mss = 0;             ///< effective send MSS
  uint32_t cwnd = 0;            ///< congestion window, bytes
  uint32_t ssthresh = 0;        ///< slow-start threshold, bytes
  uint32_t retransmits = 0;     ///< segments resent (any cause)
  uint64_t bytes_sent = 0;      ///< payload bytes sent, resends included
  uint64_t bytes_acked = 0;     ///< payload bytes the peer acknowledged
  uint64_t bytes_received = 0;  ///< payload bytes accepted in order
  uint64_t segs_out = 0;        ///< segments sent
  uint64_t segs_in = 0;         ///< segments received
  uint32_t send_queued = 0;     ///< bytes in the send buffer (unacked too)
  uint32_t recv_queued = 0;     ///< bytes received, not read yet
};

/// Up to two spans of bytes inside a socket's buffer (it is a ring: the
/// bytes may wrap). See Stack::RecvPeek and Stack::SendReserve.
template <typename B>
struct RingSpans {
  std::span<B> first;   ///< the bytes in order: first ...
  std::span<B> second;  ///< ... then these (empty unless the ring wraps)
  /// first.size() + second.size().
  size_t size() const { return first.size() + second.size(); }
};

/// One TCP/IP stack on one Device: ARP, IPv4, ICMP, TCP and the socket
/// table. Owns no thread; the application calls Poll in its loop.
class Stack {
 public:
  /// A stack on `device` (not owned; must outlive the Stack).
  Stack(Device& device, const Config& config);
  /// The same from the library-internal configuration (in-tree code).
  Stack(Device& device, const StackConfig& config);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  /// Announces our address (gratuitous ARP, if configured).
  void Start(Instant now);
  /// One turn: receive a burst, run input, timers, readiness events (to the
  /// EventHandler), transmit.
  void Poll(Instant now);
  /// The earliest moment a turn is needed without new input;
  /// Instant::Max() when idle.
  Instant NextDeadline() const;
  /// Where readiness goes; not owned, may be null (events are dropped).
  void SetEventHandler(EventHandler* handler);

  // --- Sockets. Times are those of the latest Start/Poll. ---

  /// A listening socket on `port` with SYN and accept queues of `backlog`.
  Result<ListenerId, ListenError> Listen(uint16_t port, uint32_t backlog = 128);
  /// Stops listening; connections not yet accepted are reset.
  Result<Unit, SocketError> CloseListener(ListenerId listener);
  /// The next established connection (kWouldBlock when none waits).
  Result<SocketId, AcceptError> Accept(ListenerId listener);
  /// Active open from an ephemeral port of our primary address; the
  /// outcome arrives as TcpEvents::kConnected or kClosed|kError.
  Result<SocketId, ConnectError> Connect(Ipv4Address remote, uint16_t port);
  /// The same from `source`: the primary or one of Config::extra_addresses.
  Result<SocketId, ConnectError> Connect(Ipv4Address remote, uint16_t port,
                                         Ipv4Address source);
  /// Copies bytes into the send buffer; returns how many it took (fewer
  /// than offered when the buffer fills).
  Result<size_t, SendError> Send(SocketId s, ConstByteSpan data);
  /// Copies received bytes out; kEof after the peer's FIN.
  Result<size_t, RecvError> Recv(SocketId s, ByteSpan out);
  /// Half close: FIN after the queued data; reading goes on.
  Result<Unit, SocketError> Shutdown(SocketId s);
  /// Done with the socket: the FIN exchange finishes on its own (unread
  /// data or linger make it a RST). The id goes stale at once.
  Result<Unit, SocketError> Close(SocketId s);
  /// RST now; the id goes stale at once.
  Result<Unit, SocketError> Abort(SocketId s);

  // --- Zero-copy. Spans point into the socket's own buffer: they stay
  // valid until the next call on that socket or the next Poll, whichever
  // comes first, and belong to the stack (never freed by the caller). ---

  /// The received bytes at the head of the buffer, without copying (at most
  /// 16 KiB per call: one buffer chunk; with SetZeroCopyRecv, one kept
  /// mbuf's payload while the stream's head is kept); same errors as Recv
  /// when empty.
  Result<RingSpans<const std::byte>, RecvError> RecvPeek(SocketId s);
  /// Drops the first `n` received bytes (n <= what RecvPeek showed), as
  /// Recv would have; opens the receive window. Returns how many it dropped.
  Result<size_t, RecvError> RecvConsume(SocketId s, size_t n);
  /// Writable room for up to `n` bytes at the tail of the send buffer (at
  /// most 16 KiB per call); kWouldBlock when there is none. Nothing is sent
  /// until SendCommit.
  Result<RingSpans<std::byte>, SendError> SendReserve(SocketId s, size_t n);
  /// Queues the first `n` bytes of the latest SendReserve for sending; n
  /// must not exceed what it returned, and no Send may come between.
  /// Returns how many it queued.
  Result<size_t, SendError> SendCommit(SocketId s, size_t n);

  // --- Zero-copy with ownership: bytes change hands instead of being
  // viewed in place. The copy calls above keep working in every mode. ---

  /// Zero-copy receive on (SO_ZEROCOPY-like, per socket; off by default):
  /// the payload of an in-order segment stays in the received mbuf, kept
  /// for the application, instead of being copied into the receive
  /// buffer; but only while that buffer holds nothing (no unread copied
  /// bytes, no out-of-order data) and the socket holds fewer than
  /// Config::zero_copy_max_held (64) mbufs. Anything else (loss
  /// repair, reordering, a slow reader) falls back to the copy, so the
  /// stream is always [kept mbufs][buffer] and correctness never depends
  /// on the mode. Kept bytes count in the receive window like copied ones.
  /// Off: nothing more is kept; what is kept stays readable.
  Result<Unit, SocketError> SetZeroCopyRecv(SocketId s, bool on);
  /// The next received bytes, handed over: a kept mbuf itself (no copy,
  /// RecvBuffer::zero_copy() true), or, when the head of the stream is in
  /// the receive buffer (the fallback), up to 16 KiB copied out of it into
  /// a heap buffer the RecvBuffer owns (zero_copy() false). Either way the
  /// bytes are consumed, as Recv would have, and the window may open. Same
  /// errors as Recv when nothing is buffered (kEof, kReset, kWouldBlock,
  /// kBadSocket). Recv, RecvPeek and RecvConsume read kept mbufs too.
  Result<RecvBuffer, RecvError> RecvZeroCopy(SocketId s);
  /// Sends `data` without copying it into the send buffer: the stack keeps
  /// the application's bytes (reading, never writing them) and copies from
  /// them into each segment it builds, retransmissions included; once the
  /// peer has acknowledged all of them, or the connection ends (reset,
  /// Abort, timeout, Stack destroyed), it releases them, exactly once.
  /// Ordered with Send and SendCommit on the same socket. Takes all of
  /// `data` (returns its size; `data` is left empty) or nothing: then
  /// `data` is left untouched, still the application's (kWouldBlock when
  /// the send buffer is not empty and lacks room for all of it; a buffer
  /// of any size up to 1 GiB is taken by an empty one). Buffers under
  /// 1 KiB are copied and released at once when there is room.
  Result<size_t, SendError> SendOwned(SocketId s, OwnedBytes&& data);

  // --- Options and state ---

  /// Nagle off (true) or on (RFC 1122 §4.2.3.4), like TCP_NODELAY.
  Result<Unit, SocketError> SetNoDelay(SocketId s, bool on);
  /// Keepalive probes after Config::keepalive_idle (SO_KEEPALIVE).
  Result<Unit, SocketError> SetKeepAlive(SocketId s, bool on);
  /// Close() resets instead of a graceful FIN (SO_LINGER with 0).
  Result<Unit, SocketError> SetLingerZero(SocketId s, bool on);
  /// Send buffer size (SO_SNDBUF); kUnsupported once data is buffered.
  Result<Unit, SocketError> SetSendBufferSize(SocketId s, uint32_t bytes);
  /// Receive buffer size (SO_RCVBUF): fixed once the SYN announced the
  /// window, so kUnsupported on any connected or accepted socket today;
  /// Config::recv_buffer_size sets it for all.
  Result<Unit, SocketError> SetRecvBufferSize(SocketId s, uint32_t bytes);
  /// State and statistics of one socket.
  Result<SocketInfo, SocketError> Info(SocketId s) const;

  /// Calls fn for every socket the application holds (accepted or
  /// connected, not yet closed).
  void ForEachSocket(
      const std::function<void(SocketId, const SocketInfo&)>& fn) const;
  /// Calls fn for every nonzero counter of the stack ("tcp_active_opens").
  void ForEachCounter(const std::function<void(std::string_view name,
                                               uint64_t value)>& fn) const;

  /// Our primary address.
  Ipv4Address address() const;

 private:
  friend class StackAccess;
  std::unique_ptr<StackCore> core_;
  EventHandler* handler_ = nullptr;
};

}  // namespace skiff

#endif  // SKIFF_STACK_H_
