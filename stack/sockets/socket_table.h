// The socket table's map type: 4-tuple to the connection's slab handle
// (never a raw pointer into the map, which moves entries as it grows). One
// name for TcpLayer and the benchmark that measures it, so the benchmark
// cannot drift from what the layer uses.
#ifndef SKIFF_STACK_SOCKETS_SOCKET_TABLE_H_
#define SKIFF_STACK_SOCKETS_SOCKET_TABLE_H_

#include <functional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "stack/base/huge_allocator.h"
#include "stack/base/slab.h"
#include "stack/tcp/tcp_types.h"

namespace skiff {

// On huge pages once it outgrows 2 MiB (huge_allocator.h).
using SocketTable =
    absl::flat_hash_map<FourTuple, SlabHandle, absl::Hash<FourTuple>,
                        std::equal_to<FourTuple>,
                        HugeAllocator<std::pair<const FourTuple, SlabHandle>>>;

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_SOCKET_TABLE_H_
