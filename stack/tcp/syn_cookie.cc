#include "stack/tcp/syn_cookie.h"

#include <algorithm>

namespace skiff {
namespace {

constexpr uint32_t kHashMask = (uint32_t{1} << 29) - 1;
constexpr uint8_t kTsMask = 0x3f;
constexpr uint8_t kNoScale = 0x0f;
constexpr uint8_t kSackBit = 0x10;
constexpr uint8_t kEcnBit = 0x20;

}  // namespace

uint8_t SynCookies::MssIndex(uint16_t mss) {
  // Like Linux: a peer below 536 gets 536 (RFC 9293 §3.7.1's default); the
  // rare MSS under it is not worth a table slot.
  uint8_t i = kMssTable.size() - 1;
  while (i > 0 && kMssTable[i] > mss) --i;
  return i;
}

uint8_t SynCookies::TsBits(const TcpRepr& syn, const TcpConfig& config) {
  if (!config.timestamps || !syn.options.timestamp) return kNoTimestamp;
  uint8_t bits = kNoScale;
  if (config.window_scaling && syn.options.window_scale) {
    // RFC 7323 §2.3: a shift above 14 is used as 14.
    bits = std::min(*syn.options.window_scale, kTcpMaxWindowScale);
  }
  if (config.sack && syn.options.sack_permitted) bits |= kSackBit;
  return bits;
}

uint32_t SynCookies::CookieTsVal(uint32_t base, uint8_t bits) {
  uint32_t ts = (base & ~uint32_t{kTsMask}) | bits;
  if (ts > base) ts -= kTsMask + 1;  // at most 63 ms behind the clock
  return ts;
}

uint32_t SynCookies::Hash(const FourTuple& tuple, SeqNum peer_isn,
                          uint8_t mss_index, uint8_t ts_bits,
                          uint32_t counter) const {
  std::byte msg[23];
  tuple.local_addr.Store(msg);
  StoreBe16(msg + 4, tuple.local_port);
  tuple.remote_addr.Store(msg + 6);
  StoreBe16(msg + 10, tuple.remote_port);
  StoreBe32(msg + 12, peer_isn.value());
  StoreBe32(msg + 16, counter);
  Store8(msg + 20, mss_index);
  Store8(msg + 21, ts_bits);
  Store8(msg + 22, 'C');  // domain: unrelated to ISNs and TS offsets
  return static_cast<uint32_t>(SipHash24(key_, msg));
}

SeqNum SynCookies::Encode(const FourTuple& tuple, SeqNum peer_isn,
                          uint8_t mss_index, uint8_t ts_bits,
                          uint32_t counter) const {
  return SeqNum(
      (counter & 1) << 31 | uint32_t{mss_index} << 29 |
      (Hash(tuple, peer_isn, mss_index, ts_bits, counter) & kHashMask));
}

TcpRepr SynCookies::SynAck(const FourTuple& tuple, const TcpRepr& syn,
                           const TcpConfig& config, uint32_t ts_offset,
                           Instant now) const {
  const uint8_t mss_index = MssIndex(syn.options.mss.value_or(536));
  const uint8_t bits = TsBits(syn, config);
  TcpRepr h;
  h.src_port = tuple.local_port;
  h.dst_port = tuple.remote_port;
  h.seq = Encode(tuple, syn.seq, mss_index, bits, Counter(now));
  h.ack = syn.seq + 1;
  h.flags = TcpFlag::kSyn | TcpFlag::kAck;
  // A SYN's window is never scaled (RFC 7323 §2.2): what a new connection's
  // empty receive buffer would announce.
  h.window = static_cast<uint16_t>(
      std::min<uint32_t>(config.recv_buffer_size, 0xffff));
  h.options.mss = config.mss;
  if (bits != kNoTimestamp) {
    const uint32_t base =
        static_cast<uint32_t>(now.nanos() / 1'000'000) + ts_offset;
    h.options.timestamp =
        TcpTimestamp{CookieTsVal(base, bits), syn.options.timestamp->tsval};
    if ((bits & kNoScale) != kNoScale) {
      h.options.window_scale =
          std::min(config.window_scale_shift, kTcpMaxWindowScale);
    }
    h.options.sack_permitted = (bits & kSackBit) != 0;
  }
  return h;
}

std::optional<SynCookies::Decoded> SynCookies::Check(const FourTuple& tuple,
                                                     const TcpRepr& ack,
                                                     Instant now) const {
  const uint32_t cookie = (ack.ack - 1).value();
  const SeqNum peer_isn = ack.seq - 1;
  // The counter parity picks the current tick or the one before; anything
  // older has the parity of one of them but not its hash.
  const uint32_t now_counter = Counter(now);
  const uint32_t counter =
      (now_counter & 1) == cookie >> 31 ? now_counter : now_counter - 1;
  const uint8_t mss_index = (cookie >> 29) & 3;
  const uint8_t bits = ack.options.timestamp
                           ? ack.options.timestamp->tsecr & kTsMask
                           : kNoTimestamp;
  if (((Hash(tuple, peer_isn, mss_index, bits, counter) ^ cookie) &
       kHashMask) != 0) {
    return std::nullopt;
  }
  if (bits != kNoTimestamp && (bits & kEcnBit) != 0) return std::nullopt;
  Decoded d;
  d.iss = SeqNum(cookie);
  TcpRepr& syn = d.syn;
  syn.src_port = ack.src_port;
  syn.dst_port = ack.dst_port;
  syn.seq = peer_isn;
  syn.flags = TcpFlag::kSyn;
  syn.window = ack.window;
  syn.options.mss = kMssTable[mss_index];
  if (bits != kNoTimestamp) {
    syn.options.timestamp = TcpTimestamp{ack.options.timestamp->tsval, 0};
    if ((bits & kNoScale) != kNoScale) syn.options.window_scale = bits & 0xf;
    syn.options.sack_permitted = (bits & kSackBit) != 0;
  }
  return d;
}

}  // namespace skiff
