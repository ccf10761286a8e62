// Values that cross the boundary of a Connection: states, the 4-tuple,
// segments in and out, typed errors (STYLE.md §8), events and counters.
#ifndef SKIFF_STACK_TCP_TCP_TYPES_H_
#define SKIFF_STACK_TCP_TCP_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "skiff/errors.h"
#include "skiff/socket.h"
#include "stack/tcp/payload_spans.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"
#include "stack/wire/tcp.h"

namespace skiff {

std::string_view TcpStateName(TcpState s);

struct FourTuple {
  Ipv4Address local_addr;
  uint16_t local_port = 0;
  Ipv4Address remote_addr;
  uint16_t remote_port = 0;
  friend bool operator==(const FourTuple&, const FourTuple&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const FourTuple& t) {
    return H::combine(std::move(h), t.local_addr, t.local_port, t.remote_addr,
                      t.remote_port);
  }
};

// Zero-copy receive: keeps the payload of an in-order segment where it
// arrived (the layer's mbuf) instead of the connection copying it into its
// receive ring. Keep() is offered the payload after trimming to the
// window; false (e.g. the layer's bound on held mbufs is reached) and the
// connection copies as usual.
class PayloadKeeper {
 public:
  virtual bool Keep(ConstByteSpan payload) = 0;

 protected:
  ~PayloadKeeper() = default;
};

// A received segment, already checksummed and demultiplexed by the layer.
// The payload is one span, or one per mbuf of a GRO super-segment.
// `keeper`: set by a layer that may keep the payload (zero-copy receive;
// then the payload is one span).
struct TcpSegmentIn {
  TcpRepr header;
  PayloadSpans payload;
  PayloadKeeper* keeper = nullptr;
};

// A segment the connection wants sent. The payload is up to two spans into
// the send ring (it may wrap): the layer copies them once into the mbuf
// after header.header_len() bytes of header, then fills the checksum.
struct TcpSegmentOut {
  TcpRepr header;
  ConstByteSpan payload[2];
  size_t payload_len() const { return payload[0].size() + payload[1].size(); }
};

// Where PollTransmit puts segments. Emit returns false when the layer cannot
// take one now (no mbuf, tx queue full): the connection then stops, leaves
// that segment's state untouched and still has output due.
class SegmentSink {
 public:
  virtual bool Emit(const TcpSegmentOut& seg) = 0;

 protected:
  ~SegmentSink() = default;
};

// Why a connection ended abnormally (the error() of a closed connection).
enum class ConnectionError : uint8_t {
  kNone,
  kRefused,      // RST in answer to our SYN (RFC 9293 §3.10.7.3)
  kReset,        // RST in a synchronized state
  kTimedOut,     // retransmissions or keepalive probes gave up
  kUnreachable,  // set by the layer on ICMP errors (Abort with reason)
  kAborted,      // the application called Abort()
};
std::string_view ConnectionErrorName(ConnectionError e);

// A byte count or a typed error; no exceptions, no errno.
template <typename E>
class IoResult {
 public:
  static constexpr IoResult Ok(size_t n) { return IoResult(n, E{}, true); }
  static constexpr IoResult Err(E e) { return IoResult(0, e, false); }
  constexpr bool ok() const { return ok_; }
  constexpr size_t value() const { return n_; }
  constexpr E error() const { return e_; }

 private:
  constexpr IoResult(size_t n, E e, bool ok) : n_(n), e_(e), ok_(ok) {}
  size_t n_;
  E e_;
  bool ok_;
};
using SendResult = IoResult<SendError>;
using RecvResult = IoResult<RecvError>;

// Edge-triggered events, collected until TakeEvents() (DESIGN.md loop step 4).
namespace TcpEvent {
constexpr uint8_t kConnected = 0x01;  // reached ESTABLISHED
constexpr uint8_t kReadable = 0x02;   // new data or EOF
constexpr uint8_t kWritable = 0x04;   // send buffer space freed
constexpr uint8_t kClosed = 0x08;     // reached CLOSED (or TIME-WAIT)
constexpr uint8_t kError = 0x10;      // ended with error() != kNone
}  // namespace TcpEvent

// Per-connection counters; the layer may sum them into its own.
struct TcpConnStats {
  uint64_t segs_in = 0;
  uint64_t segs_out = 0;
  uint64_t bytes_in = 0;   // payload bytes accepted in order
  uint64_t bytes_out = 0;  // payload bytes sent, retransmissions included
  uint64_t bytes_retransmitted = 0;  // payload bytes of `retransmits`
  uint32_t retransmits = 0;          // segments resent (any cause)
  uint32_t rack_timeouts = 0;        // RFC 8985 reordering timer expiries
  // Recoveries started: RFC 5681 §3.2 triple dupack, or a RACK loss.
  uint32_t fast_retransmits = 0;
  uint32_t sack_retransmits = 0;  // holes resent in recovery from SACK info
  uint32_t timeouts = 0;          // RTO expirations
  uint32_t lost_retransmits = 0;  // detections of a resent segment lost
  uint32_t loss_probes = 0;       // RFC 8985 §7 tail loss probes
  uint32_t out_of_order = 0;      // segments queued beyond rcv_nxt
  uint32_t dup_acks = 0;
  uint32_t challenge_acks = 0;        // RFC 5961
  uint32_t invalid_acks_limited = 0;  // answers suppressed by rate limit
  uint32_t dropped = 0;  // segments rejected (reason in DropCounters)
  uint32_t zero_window_probes = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_TCP_TYPES_H_
