// HugeRegion: anonymous memory for a long-lived pool (the connection slab,
// the buffer chunk pool), on 2 MiB transparent huge pages where the kernel
// gives them (THP "madvise" mode: Debian's default asks for madvise()).
// A pool of many small objects spread over 4 KiB pages costs a TLB miss per
// object touched; on huge pages one TLB entry covers 2 MiB of them.
//
// Regions of at least 2 MiB are 2 MiB-aligned and advised MADV_HUGEPAGE;
// smaller ones are plain pages (advising them would fault in 2 MiB for a
// few objects). Memory is committed lazily by the kernel either way.
#ifndef SKIFF_STACK_BASE_HUGE_REGION_H_
#define SKIFF_STACK_BASE_HUGE_REGION_H_

#include <cstddef>

namespace skiff {

class HugeRegion {
 public:
  static constexpr size_t kHugePage = size_t{2} << 20;

  HugeRegion() = default;
  // `bytes` of zeroed memory, rounded up to whole pages; empty (data() ==
  // nullptr) when the kernel refuses. Never throws.
  static HugeRegion Allocate(size_t bytes);
  ~HugeRegion();
  HugeRegion(HugeRegion&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  HugeRegion& operator=(HugeRegion&& o) noexcept;
  HugeRegion(const HugeRegion&) = delete;
  HugeRegion& operator=(const HugeRegion&) = delete;

  std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  // Whether the region was advised onto huge pages (the kernel may still
  // back parts of it with 4 KiB pages when it has no free 2 MiB frame).
  bool advised() const { return size_ >= kHugePage; }

 private:
  HugeRegion(std::byte* data, size_t size) : data_(data), size_(size) {}
  std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_HUGE_REGION_H_
