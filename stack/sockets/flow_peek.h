// The 4-tuple of a received frame, read straight from the bytes before the
// frame goes through the pipeline, so that the loop can prefetch the
// socket-table entries of a whole rx burst (a hash-table probe at 1 M
// connections is a cache miss; issued for every packet of the burst first,
// the misses overlap instead of queueing one after the other, as in
// mTCP's and VPP's batched lookups).
//
// Only a hint: a frame it does not read (not IPv4/TCP, VLAN-tagged, a
// later fragment, truncated) gives nullopt and is looked up as usual.
// Nothing is validated here; the pipeline does that (and drops) as before.
#ifndef SKIFF_STACK_SOCKETS_FLOW_PEEK_H_
#define SKIFF_STACK_SOCKETS_FLOW_PEEK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "skiff/addr.h"
#include "skiff/bytes.h"
#include "stack/tcp/tcp_types.h"

namespace skiff {

// The tuple as the socket table keys it (local = the frame's destination).
inline std::optional<FourTuple> PeekTcpFlow(std::span<const std::byte> f) {
  constexpr size_t kEth = 14;
  if (f.size() < kEth + 20 || LoadBe16(f.data() + 12) != 0x0800) {
    return std::nullopt;
  }
  const std::byte* ip = f.data() + kEth;
  const size_t ihl = (static_cast<size_t>(ip[0]) & 0x0f) * 4;
  // TCP, version 4, and the first fragment with the ports (offset 0).
  if ((static_cast<uint8_t>(ip[0]) >> 4) != 4 || ihl < 20 ||
      static_cast<uint8_t>(ip[9]) != 6 || (LoadBe16(ip + 6) & 0x1fff) != 0 ||
      f.size() < kEth + ihl + 4) {
    return std::nullopt;
  }
  const std::byte* tcp = ip + ihl;
  return FourTuple{Ipv4Address::Load(ip + 16), LoadBe16(tcp + 2),
                   Ipv4Address::Load(ip + 12), LoadBe16(tcp)};
}

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_FLOW_PEEK_H_
