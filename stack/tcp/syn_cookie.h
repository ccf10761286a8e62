// SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full, the
// SYN is answered with a SYN-ACK whose ISN encodes what the handshake needs
// and no state is kept; the peer's ACK of it (SEG.ACK - 1 == the cookie)
// brings that back and the connection starts in ESTABLISHED.
//
// The ISN (32 bits), in the spirit of Linux's secure_tcp_syn_cookie:
//   bit 31      the parity of the time counter (one per kPeriod) it was made
//   bits 30-29  an index into kMssTable (the peer's MSS rounded down)
//   bits 28-0   SipHash-2-4 (the layer's secret, domain 'C') over the 4-tuple,
//               the peer's ISN, the counter, the MSS index and the TS bits
// A cookie is valid during its counter and the next one (64 to 128 s), and
// only for the SYN it answered (its sequence number is in the hash).
//
// The options a SYN-ACK agrees to (window scale, SACK-permitted) cannot live
// in 32 bits beside the hash. As Linux does, they ride in the low 6 bits of
// our TSval (bits 0-3 the peer's shift or 0xf for none, bit 4 SACK, bit 5
// ECN, never set here), which the peer echoes in every TSecr. Without
// timestamps there is nowhere to keep them: such a cookie connection has no
// window scaling and no SACK, and the SYN-ACK offers neither.
#ifndef SKIFF_STACK_TCP_SYN_COOKIE_H_
#define SKIFF_STACK_TCP_SYN_COOKIE_H_

#include <array>
#include <cstdint>
#include <optional>

#include "stack/base/clock.h"
#include "stack/tcp/isn.h"
#include "stack/tcp/tcp_config.h"
#include "stack/tcp/tcp_types.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff {

class SynCookies {
 public:
  // MSS values a cookie can carry (Linux's IPv4 table): the common Ethernet
  // ones and RFC 9293's 536 default. A peer's MSS is rounded down to one.
  static constexpr std::array<uint16_t, 4> kMssTable = {536, 1300, 1440, 1460};
  // The time counter's tick; a cookie lives one to two ticks.
  static constexpr Duration kPeriod = Duration::Seconds(64);
  // TS bits when no timestamp is used (outside the 6-bit range).
  static constexpr uint8_t kNoTimestamp = 0xff;

  explicit SynCookies(const SipKey& key) : key_(key) {}

  // The stateless SYN-ACK for `syn`, which arrived on `tuple` (local side
  // is ours), with the options we support per `config`; `ts_offset` is the
  // tuple's TSval offset (IsnGenerator::TimestampOffset), so that the
  // cookie TSval and those of the connection it becomes agree.
  TcpRepr SynAck(const FourTuple& tuple, const TcpRepr& syn,
                 const TcpConfig& config, uint32_t ts_offset,
                 Instant now) const;

  // What a valid cookie ACK gives back: our ISN and the SYN as the cookie
  // remembers it (SEQ = IRS; the MSS from the table; window scale, SACK and
  // a timestamp carrying the ACK's TSval, when the cookie had them) for
  // Connection::AcceptCookie.
  struct Decoded {
    SeqNum iss;
    TcpRepr syn;
  };
  // Checks `ack` (an ACK without SYN or RST that reached a listener) as the
  // third segment of a cookie handshake at `now`: hash, age, MSS index, TS
  // bits. nullopt when it is none.
  std::optional<Decoded> Check(const FourTuple& tuple, const TcpRepr& ack,
                               Instant now) const;

  // ---- the pieces, for tests ----
  static uint32_t Counter(Instant now) {
    return static_cast<uint32_t>(now.nanos() / kPeriod.nanos());
  }
  // The largest table entry <= mss (index 0 when below them all).
  static uint8_t MssIndex(uint16_t mss);
  // The low TSval bits for what `syn` offered that `config` accepts.
  static uint8_t TsBits(const TcpRepr& syn, const TcpConfig& config);
  // `base` (our TSval clock) with its low 6 bits replaced by `bits`, moved
  // back one step if that went ahead of `base` (TSvals must not jump ahead
  // of the connection's later ones).
  static uint32_t CookieTsVal(uint32_t base, uint8_t bits);
  SeqNum Encode(const FourTuple& tuple, SeqNum peer_isn, uint8_t mss_index,
                uint8_t ts_bits, uint32_t counter) const;

 private:
  uint32_t Hash(const FourTuple& tuple, SeqNum peer_isn, uint8_t mss_index,
                uint8_t ts_bits, uint32_t counter) const;

  SipKey key_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_SYN_COOKIE_H_
