#include "stack/wire/tcp.h"

#include <algorithm>

#include "stack/wire/ipv4.h"

namespace skiff {

namespace {

constexpr size_t kSackBlockLen = 8;

// Sizes of what Emit() writes, padding included.
constexpr size_t kMssLen = 4;
constexpr size_t kTsLen = 12;       // NOP NOP TS(10), or SACK-perm(2) TS(10)
constexpr size_t kWsLen = 4;        // NOP WS(3)
constexpr size_t kSackPermLen = 4;  // NOP NOP SACK-perm(2) (without TS)
constexpr size_t kSackHdrLen = 4;   // NOP NOP SACK kind, len

size_t SackBlocksThatFit(const TcpOptions& o, size_t used) {
  if (o.sack_count == 0) return 0;
  size_t room = kTcpMaxOptionsLen - used;
  if (room < kSackHdrLen + kSackBlockLen) return 0;
  return std::min<size_t>(o.sack_count, (room - kSackHdrLen) / kSackBlockLen);
}

size_t LenWithoutSack(const TcpOptions& o) {
  size_t n = 0;
  if (o.mss) n += kMssLen;
  if (o.timestamp) {
    n += kTsLen;  // SACK-permitted rides in the TS padding
  } else if (o.sack_permitted) {
    n += kSackPermLen;
  }
  if (o.window_scale) n += kWsLen;
  return n;
}

std::byte* Put(std::byte* p, uint8_t v) {
  Store8(p, v);
  return p + 1;
}

}  // namespace

bool operator==(const TcpOptions& a, const TcpOptions& b) {
  if (a.mss != b.mss || a.window_scale != b.window_scale ||
      a.sack_permitted != b.sack_permitted || a.timestamp != b.timestamp ||
      a.sack_count != b.sack_count) {
    return false;
  }
  return std::equal(a.sack.begin(), a.sack.begin() + a.sack_count,
                    b.sack.begin());
}

std::optional<TcpOptions> TcpOptions::Parse(ConstByteSpan bytes) {
  TcpOptions o;
  // Fast paths for what nearly every segment carries: no options, or the
  // RFC 7323 Appendix A layout NOP, NOP, TS(10). Same result as the loop.
  if (bytes.empty()) return o;
  if (bytes.size() == 12 && LoadBe32(bytes.data()) == 0x0101080au) {
    o.timestamp =
        TcpTimestamp{LoadBe32(bytes.data() + 4), LoadBe32(bytes.data() + 8)};
    return o;
  }
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t kind = Load8(&bytes[i]);
    if (kind == TcpOptionKind::kEol) break;
    if (kind == TcpOptionKind::kNop) {
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size()) return std::nullopt;
    const size_t len = Load8(&bytes[i + 1]);
    if (len < 2 || i + len > bytes.size()) return std::nullopt;
    const std::byte* v = &bytes[i + 2];
    switch (kind) {
      case TcpOptionKind::kMss:
        if (len != 4) return std::nullopt;
        if (uint16_t m = LoadBe16(v); m != 0) o.mss = m;
        break;
      case TcpOptionKind::kWindowScale:
        if (len != 3) return std::nullopt;
        o.window_scale = std::min(Load8(v), kTcpMaxWindowScale);
        break;
      case TcpOptionKind::kSackPermitted:
        if (len != 2) return std::nullopt;
        o.sack_permitted = true;
        break;
      case TcpOptionKind::kTimestamp:
        if (len != 10) return std::nullopt;
        o.timestamp = TcpTimestamp{LoadBe32(v), LoadBe32(v + 4)};
        break;
      case TcpOptionKind::kSack: {
        if ((len - 2) % kSackBlockLen != 0 || len == 2) return std::nullopt;
        size_t n = (len - 2) / kSackBlockLen;
        for (size_t b = 0; b < n && o.sack_count < kMaxSackBlocks; ++b) {
          o.sack[o.sack_count++] = {
              SeqNum(LoadBe32(v + b * kSackBlockLen)),
              SeqNum(LoadBe32(v + b * kSackBlockLen + 4))};
        }
        break;
      }
      default:
        break;  // unknown: skipped by length (RFC 9293 §3.2, MUST-6)
    }
    i += len;
  }
  return o;
}

size_t TcpOptions::EmittedLen() const {
  size_t n = LenWithoutSack(*this);
  size_t blocks = SackBlocksThatFit(*this, n);
  if (blocks > 0) n += kSackHdrLen + blocks * kSackBlockLen;
  return n;
}

size_t TcpOptions::Emit(std::byte* start) const {
  std::byte* p = start;
  if (mss) {
    p = Put(p, TcpOptionKind::kMss);
    p = Put(p, 4);
    StoreBe16(p, *mss);
    p += 2;
  }
  if (timestamp) {
    if (sack_permitted) {
      p = Put(p, TcpOptionKind::kSackPermitted);
      p = Put(p, 2);
    } else {
      p = Put(p, TcpOptionKind::kNop);
      p = Put(p, TcpOptionKind::kNop);
    }
    p = Put(p, TcpOptionKind::kTimestamp);
    p = Put(p, 10);
    StoreBe32(p, timestamp->tsval);
    StoreBe32(p + 4, timestamp->tsecr);
    p += 8;
  } else if (sack_permitted) {
    p = Put(p, TcpOptionKind::kNop);
    p = Put(p, TcpOptionKind::kNop);
    p = Put(p, TcpOptionKind::kSackPermitted);
    p = Put(p, 2);
  }
  if (window_scale) {
    p = Put(p, TcpOptionKind::kNop);
    p = Put(p, TcpOptionKind::kWindowScale);
    p = Put(p, 3);
    p = Put(p, *window_scale);
  }
  size_t blocks = SackBlocksThatFit(*this, static_cast<size_t>(p - start));
  if (blocks > 0) {
    p = Put(p, TcpOptionKind::kNop);
    p = Put(p, TcpOptionKind::kNop);
    p = Put(p, TcpOptionKind::kSack);
    p = Put(p, static_cast<uint8_t>(2 + blocks * kSackBlockLen));
    for (size_t b = 0; b < blocks; ++b) {
      StoreBe32(p, sack[b].left.value());
      StoreBe32(p + 4, sack[b].right.value());
      p += kSackBlockLen;
    }
  }
  return static_cast<size_t>(p - start);
}

std::optional<TcpView> TcpView::Parse(ConstByteSpan segment, DropReason* why) {
  if (segment.size() < kTcpMinHeaderLen) {
    *why = DropReason::kTcpMalformed;
    return std::nullopt;
  }
  size_t hlen = static_cast<size_t>(Load8(segment.data() + 12) >> 4) * 4;
  if (hlen < kTcpMinHeaderLen || hlen > segment.size()) {
    *why = DropReason::kTcpBadOffset;
    return std::nullopt;
  }
  return TcpView(segment, hlen);
}

bool TcpView::ChecksumValid(Ipv4Address src, Ipv4Address dst) const {
  uint32_t sum = PseudoHeaderSum(src, dst, IpProtocol::kTcp,
                                 static_cast<uint16_t>(seg_.size()));
  return ChecksumFinish(ChecksumAccumulate(seg_, sum)) == 0;
}

std::optional<TcpRepr> TcpRepr::FromView(const TcpView& v, DropReason* why) {
  std::optional<TcpOptions> opts = TcpOptions::Parse(v.options());
  if (!opts) {
    *why = DropReason::kTcpMalformed;
    return std::nullopt;
  }
  return TcpRepr{.src_port = v.src_port(),
                 .dst_port = v.dst_port(),
                 .seq = v.seq(),
                 .ack = v.ack(),
                 .flags = v.flags(),
                 .window = v.window(),
                 .urgent = v.urgent(),
                 .options = *opts};
}

void TcpRepr::Emit(std::byte* p) const {
  const size_t hlen = header_len();
  StoreBe16(p, src_port);
  StoreBe16(p + 2, dst_port);
  StoreBe32(p + 4, seq.value());
  StoreBe32(p + 8, ack.value());
  Store8(p + 12, static_cast<uint8_t>((hlen / 4) << 4));
  Store8(p + 13, flags);
  StoreBe16(p + 14, window);
  StoreBe16(p + 16, 0);
  StoreBe16(p + 18, urgent);
  options.Emit(p + kTcpMinHeaderLen);
}

void TcpFillChecksum(ByteSpan segment, Ipv4Address src, Ipv4Address dst) {
  StoreBe16(segment.data() + 16, 0);
  uint32_t sum = PseudoHeaderSum(src, dst, IpProtocol::kTcp,
                                 static_cast<uint16_t>(segment.size()));
  StoreBe16(segment.data() + 16,
            ChecksumFinish(ChecksumAccumulate(segment, sum)));
}

void TcpFillPseudoHeaderChecksum(ByteSpan segment, Ipv4Address src,
                                 Ipv4Address dst) {
  uint32_t sum = PseudoHeaderSum(src, dst, IpProtocol::kTcp,
                                 static_cast<uint16_t>(segment.size()));
  StoreBe16(segment.data() + 16, static_cast<uint16_t>(~ChecksumFinish(sum)));
}

}  // namespace skiff
