#include "stack/base/rss.h"

#include <algorithm>
#include <bit>

namespace skiff {

RssSteering::RssSteering(const RssConfig& config)
    : hash_(config.key), queues_(std::max<uint16_t>(config.queues, 1)) {
  const uint32_t size =
      std::bit_ceil(std::max<uint32_t>({config.reta_size, queues_, 1}));
  reta_.resize(size);
  for (uint32_t i = 0; i < size; ++i) reta_[i] = i % queues_;
  mask_ = size - 1;
}

bool RssSteering::SetReta(std::span<const uint16_t> reta) {
  if (reta.empty() || !std::has_single_bit(reta.size())) return false;
  if (std::ranges::any_of(reta, [&](uint16_t q) { return q >= queues_; })) {
    return false;
  }
  reta_.assign(reta.begin(), reta.end());
  mask_ = static_cast<uint32_t>(reta_.size() - 1);
  return true;
}

}  // namespace skiff
