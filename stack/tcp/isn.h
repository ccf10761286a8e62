// RFC 6528 initial sequence numbers: ISN = M + F(localip, localport,
// remoteip, remoteport, secretkey), M a 4 µs timer, F SipHash-2-4 keyed with
// 128 secret bits the layer draws at start-up.
#ifndef SKIFF_STACK_TCP_ISN_H_
#define SKIFF_STACK_TCP_ISN_H_

#include <array>
#include <cstdint>

#include "stack/base/clock.h"
#include "stack/tcp/tcp_types.h"
#include "stack/wire/bytes.h"
#include "stack/wire/seq.h"

namespace skiff {

using SipKey = std::array<uint8_t, 16>;

// SipHash-2-4 (Aumasson & Bernstein, 2012) of `data` under `key`.
uint64_t SipHash24(const SipKey& key, ConstByteSpan data);

class IsnGenerator {
 public:
  explicit IsnGenerator(const SipKey& key) : key_(key) {}
  SeqNum Next(const FourTuple& t, Instant now) const;
  // A secret per-4-tuple offset for TCP timestamps (RFC 7323 §7.1), the
  // same for every incarnation of the tuple.
  uint32_t TimestampOffset(const FourTuple& t) const;

 private:
  SipKey key_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_ISN_H_
