// PacketPool: an rte_mempool of mbufs, owned. Needs a running EAL.
#ifndef SKIFF_STACK_BUF_PACKET_POOL_H_
#define SKIFF_STACK_BUF_PACKET_POOL_H_

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "stack/buf/packet.h"

namespace skiff {

struct PacketPoolConfig {
  std::string name = "skiff_pool";
  uint32_t size = 8191;       // mbufs; 2^n - 1 is the mempool sweet spot
  uint32_t cache_size = 256;  // per-lcore cache
  uint16_t data_room = RTE_MBUF_DEFAULT_BUF_SIZE;  // 2048 + headroom
  int socket_id = SOCKET_ID_ANY;
};

class PacketPool {
 public:
  static absl::StatusOr<std::unique_ptr<PacketPool>> Create(
      const PacketPoolConfig& config);
  ~PacketPool();
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;

  // An empty packet with the default headroom; empty Packet when exhausted.
  Packet Alloc() { return Packet(rte_pktmbuf_alloc(pool_)); }
  // Fills `out` with fresh packets; all or nothing.
  bool AllocBulk(std::span<Packet> out);

  // Free mbufs, counting those sitting in per-lcore caches. A pool that is
  // back to capacity() holds no leaked mbuf.
  uint32_t available() const { return rte_mempool_avail_count(pool_); }
  uint32_t capacity() const { return pool_->size; }
  uint32_t in_use() const { return rte_mempool_in_use_count(pool_); }
  rte_mempool* raw() const { return pool_; }

 private:
  explicit PacketPool(rte_mempool* pool) : pool_(pool) {}
  rte_mempool* pool_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BUF_PACKET_POOL_H_
