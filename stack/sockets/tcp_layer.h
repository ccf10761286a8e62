// TcpLayer: the socket table and everything between IPv4 and Connections.
//
//  - Demultiplexing (RFC 9293 §3.10.7): connections by 4-tuple in a hash
//    set of slot indices into a Slab (socket_table.h; never raw pointers
//    into the table); listeners by local port; a segment that reaches
//    neither gets a RST (§3.10.7.1), never a RST in answer to a RST.
//  - Passive open (steps 1 and 4): a SYN to a listener spawns a dedicated
//    connection keyed by the client's 4-tuple, bounded by the listener's SYN
//    queue; once ESTABLISHED it waits in the accept queue. Past a full SYN
//    queue a SYN cookie answers without keeping state (RFC 4987 §3.6,
//    syn_cookie.h); the ACK that brings it back spawns the connection.
//  - Active open (step 2): an ephemeral port chosen without collision.
//  - Transmit polling (steps 3 and 5): connections with something due sit on
//    a pending list; each loop turn walks only that list.
//  - Timers: each connection reports its next deadline; a timer wheel wakes
//    it.
//  - Readiness events, delivered to the application once per turn.
#ifndef SKIFF_STACK_SOCKETS_TCP_LAYER_H_
#define SKIFF_STACK_SOCKETS_TCP_LAYER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/base/slab.h"
#include "stack/base/timer_wheel.h"
#include "stack/buf/packet_pool.h"
#include "stack/net/ip_sender.h"
#include "stack/net/ipv4_handler.h"
#include "stack/net/local_addresses.h"
#include "stack/sockets/listener.h"
#include "stack/sockets/port_chooser.h"
#include "stack/sockets/recv_hold.h"
#include "stack/sockets/segment_writer.h"
#include "stack/sockets/socket_api.h"
#include "stack/sockets/socket_table.h"
#include "stack/tcp/chunk_pool.h"
#include "stack/tcp/connection.h"
#include "stack/tcp/isn.h"
#include "stack/tcp/payload_spans.h"
#include "stack/tcp/syn_cookie.h"
#include "stack/tcp/tcp_config.h"
#include "stack/tcp/tcp_counters.h"

namespace skiff {

struct TcpLayerConfig {
  TcpConfig connection;  // defaults for every connection
  // Connection slots (TIME-WAIT included). Each costs its TCB only; buffers
  // are taken when data flows.
  uint32_t max_connections = 1 << 20;
  uint32_t max_listeners = 64;
  // All connections' send and receive buffers come from one pool of 16 KiB
  // chunks, taken as data flows and returned as it drains (chunk_pool.h).
  // When it is used up, windows shrink and Send() takes less (or returns
  // kWouldBlock); Linux bounds the same with tcp_mem. 1 GiB by default.
  uint64_t buffer_pool_bytes = uint64_t{1} << 30;
  // RFC 4987 §3.6: a SYN that finds its listener's SYN queue full (or the
  // connection table full) is answered with a SYN cookie instead of being
  // dropped (Linux tcp_syncookies = 1). See syn_cookie.h.
  bool syn_cookies = true;
  // RFC 5961 §7: challenge ACKs per second, all connections together
  // (Linux tcp_challenge_ack_limit); 0 means no limit.
  uint32_t challenge_ack_limit = 1000;
  // Zero-copy receive (SetZeroCopyRecv): at most this many received mbufs
  // held per socket; past it, payload is copied into the receive buffer as
  // usual. Their bytes are bounded by the receive buffer (they count in
  // the window), their number here, so that an application that does not
  // read pins at most this many mbufs per socket.
  uint32_t zero_copy_max_held = 64;
  // RFC 6335 §6 dynamic range (Linux uses 32768-60999).
  uint16_t ephemeral_first = 49152;
  uint16_t ephemeral_last = 65535;
  // Picks the local port of active opens (not owned; must outlive the
  // layer). Null: RFC 6056 Algorithm 3 over the range above. One StackCore per
  // lcore behind an RSS port sets an RssPortChooser (port_chooser.h).
  PortChooser* port_chooser = nullptr;
  // RFC 6528 / RFC 6056 secret. Zero: the host's (HostSecret) for ISNs,
  // timestamp offsets and SYN cookies, a random one for port choice.
  SipKey secret{};
};

class TcpLayer final : public Ipv4Handler {
 public:
  // `local`: the addresses segments may arrive at and connections may be
  // opened from (its primary is the default source).
  TcpLayer(const TcpLayerConfig& config, LocalAddresses local, uint16_t mtu,
           bool checksum_offload, PacketPool& pool, IpSender& ip,
           DropCounters& drops, Instant now);
  TcpLayer(const TcpLayer&) = delete;
  TcpLayer& operator=(const TcpLayer&) = delete;

  // ---- the loop (DESIGN.md) ----
  // Step 2: a segment from IPv4 (pkt starts at the TCP header).
  void Input(const Ipv4View& ip, Packet pkt, Instant now) override;
  // Step 3: wake connections whose deadline has passed.
  void AdvanceTimers(Instant now);
  // Step 4: readiness events to `handler` (may be null: events are dropped).
  void DeliverEvents(TcpEventHandler* handler, Instant now);
  // Step 5: emit what the pending connections have due.
  void PollTransmit(Instant now);
  // Before a burst is processed: starts the socket-table probe for a
  // frame's flow (flow_peek.h), so the burst's cache misses overlap.
  void PrefetchFlow(const FourTuple& t) const { table_.Prefetch(t); }
  // The earliest moment anything here needs a turn (Instant::Max if idle).
  Instant NextDeadline() const;

  // ---- the socket API (see stack/stack_core.h for the documentation) ----
  ListenResult Listen(uint16_t port, uint32_t backlog);
  void CloseListener(ListenerId id, Instant now);
  SocketId Accept(ListenerId id);  // invalid SocketId when none is waiting
  // `source` any: the primary address.
  ConnectResult Connect(Ipv4Address remote, uint16_t port, Instant now,
                        Ipv4Address source = Ipv4Address());
  SendResult Send(SocketId s, ConstByteSpan data, Instant now);
  RecvResult Recv(SocketId s, ByteSpan out, Instant now);
  // The received bytes at the head of the stream: the first held mbuf's,
  // else the receive ring's (Connection::RecvPeek); RecvConsume drops n.
  RecvResult RecvPeek(SocketId s, ConstByteSpan out[2]);
  RecvResult RecvConsume(SocketId s, size_t n, Instant now);
  // Zero-copy receive: in-order payload is kept in its mbuf while the
  // receive ring is empty (Connection::ProcessText), up to
  // zero_copy_max_held mbufs. Turning it off keeps what is held readable.
  void SetZeroCopyRecv(SocketId s, bool on);
  // The first held mbuf (trimmed to its payload), handed over; an empty
  // Packet when the head of the stream is not held.
  Packet TakeHeld(SocketId s, Instant now);
  // Queues `data` whole or nothing (Connection::SendOwned).
  SendResult SendOwned(SocketId s, OwnedBytes& data, Instant now);
  void Shutdown(SocketId s, Instant now);
  void Close(SocketId s, Instant now);
  void Abort(SocketId s, Instant now);
  // The connection behind an id, for options and state; nullptr if stale.
  Connection* Find(SocketId s);
  const Connection* Find(SocketId s) const;

  // For the public API (stack/stack.cc): whether a listener id is live;
  // the bookkeeping of Send/Recv after a call made on Find()'s connection
  // (options, zero-copy); the sockets the application holds.
  bool HasListener(ListenerId id) {
    return listeners_.Get(id.handle) != nullptr;
  }
  void Touch(SocketId s, Instant now) {
    if (Owned(s) != nullptr) Update(s.handle, now);
  }
  template <typename F>
  void VisitOwnedSockets(F&& f) const {
    sockets_.ForEach([&](SlabHandle h, const Socket& s) {
      if (s.owned && !s.released) f(SocketId{h}, s.conn);
    });
  }

  // Counters with the per-connection sums brought up to date.
  TcpCounters counters() const;
  size_t connection_count() const { return sockets_.size(); }
  // 4-tuples in the socket table: connection_count() between turns (the
  // fuzz targets check it).
  size_t table_size() const { return table_.size(); }
  size_t pending_count() const { return pending_.size(); }
  const ChunkPool& buffer_pool() const { return buffers_; }
  // Read-only walks for telemetry (stack/observe/snapshot.h): every
  // connection in the table (TIME-WAIT included), every listener. (Until
  // the public StackCore::ForEachSocket/ForEachListener of issue 9 land.)
  template <typename F>
  void VisitConnections(F&& f) const {
    sockets_.ForEach([&](SlabHandle, const Socket& s) { f(s.conn); });
  }
  template <typename F>
  void VisitListeners(F&& f) const {
    listeners_.ForEach([&](SlabHandle, const Listener& l) { f(l); });
  }

  // An ICMP error quoting one of our segments (RFC 1122 §4.2.3.9): to the
  // connection of the quoted 4-tuple if the quoted sequence number is in
  // flight (RFC 5927 §4.1); counted and dropped otherwise.
  bool OnIcmpError(const IcmpError& err, Instant now) override;

 private:
  // 576 bytes, 552 of them the TCB: the flags in bits in the TCB's tail
  // padding ([[no_unique_address]] allows it), no padding between the
  // fields (DESIGN.md "Memory per connection").
  struct Socket {
    Socket(const TcpConfig& config, DropCounters* drops, ChunkPool* pool,
           ChallengeAckLimiter* challenge_limit)
        : conn(config, drops, pool, challenge_limit) {}
    [[no_unique_address]] Connection conn;
    uint8_t events = 0;               // TcpEvent bits not yet delivered
    bool owned : 1 = false;           // the application holds a SocketId
    bool released : 1 = false;        // ... and has let go (Close/Abort)
    bool on_pending : 1 = false;      // on pending_
    bool on_events : 1 = false;       // on events_
    bool waits_for_pool : 1 = false;  // on pool_waiters_
    bool was_connected : 1 = false;   // reached ESTABLISHED once
    bool in_syn_queue : 1 = false;    // counted in the parent's SYN queue
    bool zero_copy_recv : 1 = false;  // SetZeroCopyRecv
    ListenerId parent;                // set until the application accepts it
    // Kept mbufs (zero-copy receive); made by SetZeroCopyRecv(true).
    std::unique_ptr<RecvHold> hold;
    Instant wheel_deadline = Instant::Max();
    const FourTuple& tuple() const { return conn.tuple(); }  // SocketTable
  };

  // ChainPayload's parts, grown once (a chain has at most a few dozen).
  std::vector<ConstByteSpan> chain_parts_;

  // The payload of a chained segment (a GRO super-segment, header in its
  // first mbuf) as one span per mbuf, into chain_parts_: no copy here, the
  // connection copies each span once into its receive ring.
  PayloadSpans ChainPayload(const Packet& pkt, size_t header_len);

  // `pkt`: the segment's mbuf, which zero-copy receive may keep.
  void InputToConnection(SlabHandle h, const TcpRepr& hdr,
                         const PayloadSpans& payload, Instant now,
                         Packet* pkt = nullptr);
  void InputToListener(Listener& l, ListenerId lid, const FourTuple& tuple,
                       const TcpRepr& hdr, const PayloadSpans& payload,
                       Instant now);
  bool InputCookieAck(Listener& l, ListenerId lid, const FourTuple& tuple,
                      const TcpRepr& hdr, const PayloadSpans& payload,
                      Instant now);
  void SendSynCookie(Listener& l, const FourTuple& tuple, const TcpRepr& syn,
                     Instant now);
  void QueueForAccept(Listener& l, ListenerId lid, SlabHandle h);
  bool TimeWaitReusable(const Connection& c, const TcpRepr& syn) const;
  // After anything touched a connection: events, pending list, timer,
  // and freeing it once it is done.
  void Update(SlabHandle h, Instant now);
  void OnQueuedEvents(SlabHandle h, Socket& s, uint8_t ev);
  void WakePoolWaiters();
  void Free(SlabHandle h);
  void SendReset(const FourTuple& tuple, const TcpRepr& seg, size_t payload_len,
                 Instant now);
  bool PickEphemeralPort(Ipv4Address source, Ipv4Address remote, uint16_t port,
                         FourTuple* t);
  Socket* Owned(SocketId s);
  void AddStats(const TcpConnStats& st, TcpCounters& c) const;

  TcpLayerConfig config_;
  // RFC 6056 Algorithm 3's key: this layer's own unless config.secret is
  // set, so that stacks sharing an address pick independent port sequences
  // (the host secret is for ISNs, timestamps and cookies only).
  SipKey port_secret_;
  LocalAddresses local_;
  IpSender& ip_;
  DropCounters& drops_;
  IsnGenerator isn_;
  SynCookies cookies_;
  SegmentWriter writer_;
  ChunkPool buffers_;  // before sockets_: connections give chunks back
  ChallengeAckLimiter challenge_acks_;  // before sockets_: they point here
  Slab<Socket> sockets_;
  SocketTable<Socket> table_{sockets_};  // after sockets_: keys live there
  Slab<Listener> listeners_;
  absl::flat_hash_map<uint16_t, SlabHandle> listener_by_port_;
  std::vector<SlabHandle> pending_;
  std::vector<SlabHandle> pending_scratch_;
  std::vector<SlabHandle> events_;
  std::vector<SlabHandle> events_scratch_;
  std::vector<SlabHandle> acceptable_;
  // Sockets whose Send() found the buffer pool empty with nothing of their
  // own queued: no ACK will ever make them writable, so they are woken
  // (kWritable) once chunks are free again.
  std::vector<SlabHandle> pool_waiters_;
  TimerWheel wheel_;
  uint32_t ephemeral_next_ = 0;
  TcpCounters counters_;  // the sums cover only freed connections
};

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_TCP_LAYER_H_
