#include "bench/harness/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace skiff::bench {
namespace {
constexpr uint64_t kMaxValue = (uint64_t{1} << Histogram::kMaxBits) - 1;
}  // namespace

// shift = how far the value must move right so that its top 8 bits remain
// (0 for values < 256); the index is then shift * 128 + those top bits,
// which is contiguous because for shift > 0 the top bits lie in [128, 255].
size_t Histogram::IndexOf(uint64_t value) {
  value = std::min(value, kMaxValue);
  int width = std::bit_width(value);
  int shift = std::max(0, width - (kSubBits + 1));
  return (static_cast<size_t>(shift) << kSubBits) +
         static_cast<size_t>(value >> shift);
}

uint64_t Histogram::LowerBound(size_t index) {
  if (index < (size_t{2} << kSubBits)) return index;
  size_t shift = (index >> kSubBits) - 1;
  uint64_t top = (index & ((size_t{1} << kSubBits) - 1)) | (1u << kSubBits);
  return top << shift;
}

uint64_t Histogram::UpperBound(size_t index) {
  if (index < (size_t{2} << kSubBits)) return index;
  size_t shift = (index >> kSubBits) - 1;
  return LowerBound(index) + (uint64_t{1} << shift) - 1;
}

void Histogram::Record(uint64_t value) {
  ++counts_[IndexOf(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank =
      static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      uint64_t mid = LowerBound(i) + (UpperBound(i) - LowerBound(i)) / 2;
      return std::clamp(mid, min(), max_);
    }
  }
  return max_;
}

}  // namespace skiff::bench
