// A log-bucket latency histogram in the spirit of HdrHistogram: values below
// 256 are counted exactly, larger ones in 128 sub-buckets per power of two,
// so any reported percentile is within 1/256 (0.4%) of a recorded value.
// Fixed size, no allocation after construction: safe to Record() in a hot
// loop. One per thread; Merge() to combine.
#ifndef SKIFF_BENCH_HARNESS_HISTOGRAM_H_
#define SKIFF_BENCH_HARNESS_HISTOGRAM_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace skiff::bench {

class Histogram {
 public:
  // Values at or above 2^kMaxBits (about 18 minutes in ns) are clamped.
  static constexpr int kSubBits = 7;
  static constexpr int kMaxBits = 40;
  static constexpr size_t kBuckets =
      (size_t{kMaxBits - kSubBits} << kSubBits) + (size_t{2} << kSubBits);

  void Record(uint64_t value);
  void Merge(const Histogram& other);
  void Reset() { *this = Histogram(); }

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_)
                  : 0.0;
  }
  // The value at quantile q in [0, 1] (0.5, 0.99, 0.999): the midpoint of
  // the bucket holding the ceil(q * count)-th smallest value, clamped to
  // [min, max]. 0 when empty.
  uint64_t Percentile(double q) const;

  // Exposed for tests: bucket index of a value and that bucket's bounds.
  static size_t IndexOf(uint64_t value);
  static uint64_t LowerBound(size_t index);
  static uint64_t UpperBound(size_t index);  // inclusive

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_HISTOGRAM_H_
