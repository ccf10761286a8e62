// HugeRegion: anonymous memory for a long-lived pool (the connection slab,
// the buffer chunk pool), on 2 MiB transparent huge pages where the kernel
// gives them (THP "madvise" mode: Debian's default asks for madvise()).
// A pool of many small objects spread over 4 KiB pages costs a TLB miss per
// object touched; on huge pages one TLB entry covers 2 MiB of them.
//
// Regions of at least 2 MiB are 2 MiB-aligned, and every whole 2 MiB of
// the bytes asked for is advised MADV_HUGEPAGE; the rest (a small region,
// the tail of a large one) stays on 4 KiB pages, since advising it would
// fault in 2 MiB for a few objects. Memory is committed lazily either way.
#ifndef SKIFF_STACK_BASE_HUGE_REGION_H_
#define SKIFF_STACK_BASE_HUGE_REGION_H_

#include <cstddef>
#include <utility>

namespace skiff {

class HugeRegion {
 public:
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugeRegion() = default;
  // `bytes` of zeroed memory, rounded up to whole pages; empty (data() ==
  // nullptr) when the kernel refuses. Never throws.
  static HugeRegion Allocate(size_t bytes);
  ~HugeRegion();
  HugeRegion(HugeRegion&& o) noexcept
      : data_(o.data_), size_(o.size_), advised_(o.advised_) {
    o.data_ = nullptr;
    o.size_ = o.advised_ = 0;
  }
  HugeRegion& operator=(HugeRegion&& o) noexcept;
  HugeRegion(const HugeRegion&) = delete;
  HugeRegion& operator=(const HugeRegion&) = delete;

  std::byte* data() const { return data_; }
  // Gives up ownership of the memory (for allocators that track sizes
  // themselves); Free(data, bytes) with the bytes Allocate was given
  // returns it.
  std::byte* Release() {
    size_ = advised_ = 0;
    return std::exchange(data_, nullptr);
  }
  static void Free(std::byte* data, size_t bytes);
  size_t size() const { return size_; }
  // Bytes from data() on advised onto huge pages (the kernel may still
  // back parts of them with 4 KiB pages when it has no free 2 MiB frame).
  size_t advised() const { return advised_; }

 private:
  HugeRegion(std::byte* data, size_t size, size_t advised)
      : data_(data), size_(size), advised_(advised) {}
  std::byte* data_ = nullptr;
  size_t size_ = 0;
  size_t advised_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_HUGE_REGION_H_
