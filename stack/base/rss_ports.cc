#include "stack/base/rss_ports.h"

namespace skiff {

RssPortSets::RssPortSets(const RssSteering& rss, uint16_t queue, uint16_t first,
                         uint16_t last)
    : rss_(rss), queue_(queue), buckets_(rss.reta().size()) {
  const auto reta = rss.reta();
  for (uint32_t r = 0; r < reta.size(); ++r) {
    if (reta[r] == queue) indices_.push_back(r);
  }
  if (first == 0) first = 1;
  for (uint32_t p = first; p <= last; ++p) {
    const uint16_t port = static_cast<uint16_t>(p);
    buckets_[rss.hash().Ipv4L4(0, 0, 0, port) & rss.reta_mask()].push_back(
        port);
  }
}

}  // namespace skiff
