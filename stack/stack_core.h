// StackCore: one per lcore. Owns every layer (tx queue, ARP, IPv4, ICMP, TCP)
// and runs DESIGN.md's loop, one turn per Poll(now). Shared-nothing:
// nothing here is thread-safe, nothing needs to be.
//
// The embedding API, in one example (a server that answers every request
// with a page and closes; see README "Embedding API"):
//
//   class Server : public skiff::TcpEventHandler {
//     void OnAcceptable(skiff::ListenerId l) override {
//       for (auto s = stack->Accept(l); s.valid(); s = stack->Accept(l)) {}
//     }
//     void OnSocketEvent(skiff::SocketId s, uint8_t ev) override {
//       if (ev & skiff::TcpEvent::kReadable) { ...stack->Recv(s, buf)... }
//       ...stack->Send(s, page); stack->Close(s);
//     }
//   };
//   skiff::StackCore stack(port, config);          // port: any skiff::Device
//   stack.SetEventHandler(&server);
//   stack.Listen(80, /*backlog=*/1024);
//   stack.Start(clock.Now());
//   while (running) stack.Poll(clock.Now());  // busy-poll, run to completion
//
// Every call is non-blocking and returns a typed error, never throws.
// Socket calls made inside an event handler take effect in the same turn.
#ifndef SKIFF_STACK_STACK_CORE_H_
#define SKIFF_STACK_STACK_CORE_H_

#include <array>
#include <cstdint>
#include <string>

#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/counters.h"
#include "stack/net/arp_resolver.h"
#include "stack/net/icmp_layer.h"
#include "stack/net/ipv4_handler.h"
#include "stack/net/ipv4_layer.h"
#include "stack/net/tx_queue.h"
#include "stack/sockets/socket_api.h"
#include "stack/sockets/tcp_layer.h"
#include "stack/stack_config.h"
#include "stack/wire/addr.h"

namespace skiff {

class StackCore final {
 public:
  static constexpr size_t kRxBurst = 32;

  StackCore(Device& device, const StackConfig& config);
  StackCore(const StackCore&) = delete;
  StackCore& operator=(const StackCore&) = delete;

  // Announces our address (gratuitous ARP, if configured) and flushes.
  void Start(Instant now);
  // One turn of the loop: rx burst, input, timers, tx flush.
  void Poll(Instant now);
  // The earliest timer; Instant::Max() when none is armed.
  Instant NextDeadline() const;

  // --- The transport seam ---
  // Sends `l4` (transport header + payload at data start) to `dst`: prepends
  // IPv4, routes, resolves the next hop via ARP (or parks the packet),
  // prepends Ethernet, queues it for this turn's flush. False when the
  // packet was dropped (counted). Set Packet::SetTxOffload(tcp_checksum)
  // beforehand to have the NIC fill the TCP checksum; IPv4 fills the rest.
  bool SendIpv4(Packet l4, Ipv4Address dst, uint8_t protocol, Instant now) {
    return ipv4_.SendIpv4(std::move(l4), dst, protocol, now);
  }
  bool SendIpv4From(Ipv4Address src, Packet l4, Ipv4Address dst,
                    uint8_t protocol, Instant now) {
    return ipv4_.SendIpv4From(src, std::move(l4), dst, protocol, now);
  }
  // Delivers datagrams of `protocol` to `handler` (not owned; nullptr to
  // remove). ICMP (1) is built in and cannot be replaced. Until a handler
  // is registered, a protocol gets ICMP protocol unreachable.
  void RegisterHandler(uint8_t protocol, Ipv4Handler* handler);

  // --- TCP sockets (times are those of the latest Start/Poll) ---
  // Step 1: a listening socket on `port` with bounded SYN and accept
  // queues of `backlog` each.
  ListenResult Listen(uint16_t port, uint32_t backlog = 128);
  // Stops listening; connections not yet accepted are reset.
  void CloseListener(ListenerId listener) {
    tcp_.CloseListener(listener, now_);
  }
  // Step 4: the next established connection, or an invalid id.
  SocketId Accept(ListenerId listener) { return tcp_.Accept(listener); }
  // Step 2: active open from an ephemeral port; completion is reported as
  // TcpEvent::kConnected (or kClosed|kError with error() kRefused,
  // kTimedOut, kUnreachable).
  ConnectResult Connect(Ipv4Address remote, uint16_t port) {
    return tcp_.Connect(remote, port, now_);
  }
  // The same from `source`, the primary or one of
  // StackConfig::extra_addresses (else kInvalidAddress); ephemeral ports
  // are drawn per (source, remote, port).
  ConnectResult Connect(Ipv4Address remote, uint16_t port, Ipv4Address source) {
    return tcp_.Connect(remote, port, now_, source);
  }
  // Queues bytes for sending (fewer than offered when the buffer is full).
  SendResult Send(SocketId s, ConstByteSpan data) {
    return tcp_.Send(s, data, now_);
  }
  // Reads received bytes; kEof after the peer's FIN, kWouldBlock if none.
  RecvResult Recv(SocketId s, ByteSpan out) { return tcp_.Recv(s, out, now_); }
  // Zero-copy (stack.h): the head of the received stream without a copy,
  // dropping n of it; kept mbufs (SetZeroCopyRecv) handed over one by
  // one; a buffer queued whole, without a copy, until acknowledged.
  RecvResult RecvPeek(SocketId s, ConstByteSpan out[2]) {
    return tcp_.RecvPeek(s, out);
  }
  RecvResult RecvConsume(SocketId s, size_t n) {
    return tcp_.RecvConsume(s, n, now_);
  }
  void SetZeroCopyRecv(SocketId s, bool on) { tcp_.SetZeroCopyRecv(s, on); }
  Packet TakeHeld(SocketId s) { return tcp_.TakeHeld(s, now_); }
  SendResult SendOwned(SocketId s, OwnedBytes& data) {
    return tcp_.SendOwned(s, data, now_);
  }
  // Half close: FIN after the queued data; reading goes on.
  void Shutdown(SocketId s) { tcp_.Shutdown(s, now_); }
  // Step 6: done with the socket; the FIN exchange finishes on its own
  // (unread data or linger-zero make it a RST). The id goes stale.
  void Close(SocketId s) { tcp_.Close(s, now_); }
  // RST now; the id goes stale.
  void Abort(SocketId s) { tcp_.Abort(s, now_); }
  // State, options (SetNoDelay, SetKeepAlive, buffer sizes, linger) and
  // TCB of a socket; nullptr for a stale id.
  Connection* Find(SocketId s) { return tcp_.Find(s); }
  // Where readiness events go (loop step 4); not owned, may be null.
  void SetEventHandler(TcpEventHandler* handler) { handler_ = handler; }
  const TcpLayer& tcp() const { return tcp_; }
  // For the public Stack (stack/stack.cc): whether a listener id is live,
  // re-evaluating a socket after an option or zero-copy call, the time of
  // the latest Start/Poll.
  bool HasListener(ListenerId l) { return tcp_.HasListener(l); }
  void Touch(SocketId s) { tcp_.Touch(s, now_); }
  Instant now() const { return now_; }

  // All counters, TCP sums brought up to date.
  StackCounters counters() const;
  // "name value" lines, nstat-like, nonzero only.
  std::string FormatCounters() const;

  Device& device() { return device_; }
  PacketPool& pool() { return device_.pool(); }
  const StackConfig& config() const { return config_; }
  Ipv4Address address() const { return config_.address.addr; }
  uint16_t mtu() const { return device_.mtu(); }
  DeviceCaps caps() const { return caps_; }
  // Read-only access for tests and tools.
  const ArpResolver& arp() const { return arp_; }

 private:
  // `gro_chain`: frame is a super-segment GroBurst made (other chains drop).
  void Input(Packet frame, Instant now, bool gro_chain = false);

  Device& device_;
  StackConfig config_;
  DeviceCaps caps_;
  StackCounters counters_;
  TxQueue tx_;
  ArpResolver arp_;
  Ipv4Layer ipv4_;
  IcmpLayer icmp_;
  TcpLayer tcp_;
  TcpEventHandler* handler_ = nullptr;
  Instant now_;
  std::array<Packet, kRxBurst> rx_;
  std::array<bool, kRxBurst> rx_gro_chain_{};
};

}  // namespace skiff

#endif  // SKIFF_STACK_STACK_CORE_H_
