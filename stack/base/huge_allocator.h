// HugeAllocator: a standard allocator whose large arrays (2 MiB and up)
// come from HugeRegion, for containers that grow to millions of entries,
// such as the socket table's hash map: at a million connections its probe
// lands on a random cache line of a ~24 MiB array, and on 4 KiB pages each
// probe is a TLB miss as well. Small arrays stay on the heap.
#ifndef SKIFF_STACK_BASE_HUGE_ALLOCATOR_H_
#define SKIFF_STACK_BASE_HUGE_ALLOCATOR_H_

#include <cstddef>
#include <memory>
#include <new>

#include "stack/base/huge_region.h"

namespace skiff {

template <typename T>
class HugeAllocator {
 public:
  using value_type = T;

  HugeAllocator() = default;
  template <typename U>
  HugeAllocator(const HugeAllocator<U>&) noexcept {}  // NOLINT: rebind

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < HugeRegion::kHugePage) return std::allocator<T>().allocate(n);
    HugeRegion r = HugeRegion::Allocate(bytes);
    if (r.data() == nullptr) throw std::bad_alloc();
    return reinterpret_cast<T*>(r.Release());
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes < HugeRegion::kHugePage) {
      std::allocator<T>().deallocate(p, n);
      return;
    }
    HugeRegion::Free(reinterpret_cast<std::byte*>(p), bytes);
  }

  friend bool operator==(const HugeAllocator&, const HugeAllocator&) {
    return true;
  }
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_HUGE_ALLOCATOR_H_
