#include "stack/buf/packet_pool.h"

#include <rte_errno.h>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace skiff {

absl::StatusOr<std::unique_ptr<PacketPool>> PacketPool::Create(
    const PacketPoolConfig& config) {
  rte_mempool* mp = rte_pktmbuf_pool_create(config.name.c_str(), config.size,
                                            config.cache_size, /*priv_size=*/0,
                                            config.data_room, config.socket_id);
  if (mp == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("rte_pktmbuf_pool_create(%s, %u): %s", config.name,
                        config.size, rte_strerror(rte_errno)));
  }
  return std::unique_ptr<PacketPool>(new PacketPool(mp));
}

PacketPool::~PacketPool() { rte_mempool_free(pool_); }

bool PacketPool::AllocBulk(std::span<Packet> out) {
  constexpr size_t kMax = 64;
  rte_mbuf* mbufs[kMax];
  size_t done = 0;
  while (done < out.size()) {
    size_t n = std::min(kMax, out.size() - done);
    if (rte_pktmbuf_alloc_bulk(pool_, mbufs, n) != 0) {
      for (size_t i = 0; i < done; ++i) out[i].Reset();
      return false;
    }
    for (size_t i = 0; i < n; ++i) out[done + i] = Packet(mbufs[i]);
    done += n;
  }
  return true;
}

}  // namespace skiff
