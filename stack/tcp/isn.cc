#include "stack/tcp/isn.h"

namespace skiff {

namespace {

uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  }
  void Compress(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

}  // namespace

uint64_t SipHash24(const SipKey& key, ConstByteSpan data) {
  const uint64_t k0 = LoadLe64(key.data());
  const uint64_t k1 = LoadLe64(key.data() + 8);
  SipState s{k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
             k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
  const size_t n = data.size();
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t i = 0;
  for (; i + 8 <= n; i += 8) s.Compress(LoadLe64(p + i));
  uint64_t last = uint64_t{n & 0xff} << 56;
  for (size_t j = 0; i + j < n; ++j) last |= uint64_t{p[i + j]} << (8 * j);
  s.Compress(last);
  s.v2 ^= 0xff;
  for (int r = 0; r < 4; ++r) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

namespace {

// The tuple as hash input, with a domain byte so that ISN and timestamp
// offsets are unrelated.
uint64_t HashTuple(const SipKey& key, const FourTuple& t, uint8_t domain) {
  std::byte msg[13];
  t.local_addr.Store(msg);
  StoreBe16(msg + 4, t.local_port);
  t.remote_addr.Store(msg + 6);
  StoreBe16(msg + 10, t.remote_port);
  Store8(msg + 12, domain);
  return SipHash24(key, msg);
}

}  // namespace

SeqNum IsnGenerator::Next(const FourTuple& t, Instant now) const {
  // M: RFC 6528 §3 (from RFC 793) a timer ticking every 4 microseconds.
  const auto m = static_cast<uint32_t>(now.nanos() / 4000);
  return SeqNum(m + static_cast<uint32_t>(HashTuple(key_, t, 'I')));
}

uint32_t IsnGenerator::TimestampOffset(const FourTuple& t) const {
  return static_cast<uint32_t>(HashTuple(key_, t, 'T'));
}

}  // namespace skiff
