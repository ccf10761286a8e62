// RssPortSets: the local ports from which an active open on queue k can
// connect so that the peer's replies hash back to queue k — the lcore that
// opened the connection owns it and no SYN-ACK lands on a core that answers
// it with a RST (Seastar #420, mTCP #176, F-StackCore #703).
//
// The Toeplitz hash is linear over XOR, so the hash of a reply
// (remote -> local, remote_port -> port) is H(remote, local, remote_port, 0)
// ^ H(0, 0, 0, port). Ports are grouped once, at construction, by the RETA
// index their own term selects (bucket b = H(0,0,0,port) & mask). A connect
// computes x = H(remote, local, remote_port, 0) & mask once; for every RETA
// entry r that names queue k, the ports of bucket x ^ r land on k. So a
// connect costs one hash and a table walk that stops at the first free port:
// O(1) while ports are plentiful, whatever the remote (mTCP's addr_pool
// precomputes per destination instead).
#ifndef SKIFF_STACK_BASE_RSS_PORTS_H_
#define SKIFF_STACK_BASE_RSS_PORTS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/base/rss.h"

namespace skiff {

class RssPortSets {
 public:
  // Ports [first, last] (first >= 1) of the queue `queue` of `rss`; `rss`
  // must outlive this object and keep its RETA.
  RssPortSets(const RssSteering& rss, uint16_t queue, uint16_t first,
              uint16_t last);

  // Offers is_free(port) the ports whose replies from remote:remote_port to
  // local:port land on queue(), starting at a place picked by `start` (a
  // per-connect counter or a keyed hash, RFC 6056 §3.3); returns the first
  // port it accepts, 0 when it accepts none: this queue's share of the
  // range is used up for that remote. Host byte order throughout.
  template <typename IsFree>
  uint16_t Pick(uint32_t local, uint32_t remote, uint16_t remote_port,
                uint32_t start, IsFree&& is_free) const {
    const size_t n = indices_.size();
    if (n == 0) return 0;
    const uint32_t x =
        rss_.hash().Ipv4L4(remote, local, remote_port, 0) & rss_.reta_mask();
    for (size_t i = 0; i < n; ++i) {
      const std::vector<uint16_t>& ports =
          buckets_[x ^ indices_[(start + i) % n]];
      const size_t m = ports.size();
      if (m == 0) continue;
      const size_t at = (start / n) % m;
      for (size_t j = 0; j < m; ++j) {
        const uint16_t p = ports[(at + j) % m];
        if (is_free(p)) return p;
      }
    }
    return 0;
  }

  uint16_t queue() const { return queue_; }
  // RETA entries that name queue(): its share of the flows is about
  // indices / reta size.
  size_t reta_entries() const { return indices_.size(); }

 private:
  const RssSteering& rss_;
  uint16_t queue_;
  std::vector<uint32_t> indices_;               // r with RETA[r] == queue
  std::vector<std::vector<uint16_t>> buckets_;  // by H(0,0,0,port) & mask
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_RSS_PORTS_H_
