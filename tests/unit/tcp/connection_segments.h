// What the connection-level tests (connection_*_test.cc) expect a
// connection to send, as IsSegment templates (segment_match.h), and the
// flag names they use.
#ifndef SKIFF_TESTS_UNIT_TCP_CONNECTION_SEGMENTS_H_
#define SKIFF_TESTS_UNIT_TCP_CONNECTION_SEGMENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "tests/unit/tcp/segment_match.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {

inline constexpr uint8_t kSyn = TcpFlag::kSyn;
inline constexpr uint8_t kAck = TcpFlag::kAck;
inline constexpr uint8_t kFin = TcpFlag::kFin;
inline constexpr uint8_t kRst = TcpFlag::kRst;
inline constexpr uint8_t kPsh = TcpFlag::kPsh;

// Our SYN (Connect): every option we support, TSecr 0 (RFC 7323 §3.2).
inline const Opts kSynOptions{.mss = 1460,
                              .wscale = 7,
                              .sack_ok = true,
                              .ts = Stamp{.val = kAny, .ecr = 0},
                              .sack = kNoSack};
// Our SYN-ACK to a peer that offered MSS alone: nothing else negotiated.
inline const Opts kMssOnly{.mss = 1460,
                           .wscale = std::nullopt,
                           .sack_ok = false,
                           .ts = std::nullopt,
                           .sack = kNoSack};

// The segments of a connection that negotiated no options (the harness's
// default peer), window 65,535 (64 KiB, unscaled, capped) until the peer
// sends: the right edge then stays at R(65535) (RCV.WND shrinks by what
// arrived, a FIN included, until a read frees a full MSS: receiver SWS
// avoidance, RFC 9293 §3.8.6.2.2), hence kWndAfterFin.
inline constexpr uint16_t kWndAfterFin = 65534;
// <SEQ=seq><ACK=ack><CTL=ACK>,
inline Seg PlainAck(SeqNum seq, SeqNum ack, uint16_t window = 65535) {
  return {.ports = kOut,
          .seq = seq,
          .ack = ack,
          .flags = kAck,
          .window = window,
          .payload = "",
          .options = kNoOptions};
}
// data at `seq` acknowledging the peer's SYN and nothing more,
inline Seg Data(SeqNum seq, std::string bytes, uint8_t flags = kAck) {
  return {.ports = kOut,
          .seq = seq,
          .ack = R(0),
          .flags = flags,
          .window = 65535,
          .payload = std::move(bytes),
          .options = kNoOptions};
}
// our FIN, no data,
inline Seg Fin(SeqNum seq, SeqNum ack, uint16_t window = 65535) {
  return {.ports = kOut,
          .seq = seq,
          .ack = ack,
          .flags = kAck | kFin,
          .window = window,
          .payload = "",
          .options = kNoOptions};
}
// our SYN (Connect, or its retransmission),
inline Seg Syn() {
  return {.ports = kOut,
          .seq = SeqNum(kLocalIss),
          .ack = SeqNum(0),
          .flags = kSyn,
          .window = 65535,
          .payload = "",
          .options = kSynOptions};
}
// our SYN-ACK to the peer's SYN (SEQ = ISS, ACK = IRS + 1), offering
// `options` (kMssOnly: the peer's SYN offered nothing else),
inline Seg SynAck(const Opts& options = kMssOnly) {
  return {.ports = kOut,
          .seq = SeqNum(kLocalIss),
          .ack = R(0),
          .flags = kSyn | kAck,
          .window = 65535,
          .payload = "",
          .options = options};
}
// and a RST in answer to a segment: <SEQ=seq><CTL=RST>, zero window.
inline Seg Rst(SeqNum seq) {
  return {.ports = kOut,
          .seq = seq,
          .ack = SeqNum(0),
          .flags = kRst,
          .window = 0,
          .payload = "",
          .options = kNoOptions};
}

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_TCP_CONNECTION_SEGMENTS_H_
