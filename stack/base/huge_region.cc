#include "stack/base/huge_region.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

namespace skiff {
namespace {

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

HugeRegion HugeRegion::Allocate(size_t bytes) {
  if (bytes == 0) return {};
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (bytes < kHugePage) {
    const size_t size = RoundUp(bytes, page);
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return {};
    return HugeRegion(static_cast<std::byte*>(p), size, 0);
  }
  // Over-map by one huge page and trim to a 2 MiB-aligned window, so every
  // 2 MiB of the region can be one huge page.
  const size_t size = RoundUp(bytes, page);
  void* p = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return {};
  const uintptr_t raw = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = RoundUp(raw, kHugePage);
  if (aligned > raw) munmap(p, aligned - raw);
  const size_t tail = raw + size + kHugePage - (aligned + size);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
  auto* data = reinterpret_cast<std::byte*>(aligned);
  // Best effort: with THP off (or "never") the pages are 4 KiB and all
  // still works.
  const size_t advised = bytes / kHugePage * kHugePage;
  if (madvise(data, advised, MADV_HUGEPAGE) != 0) return {data, size, 0};
  return HugeRegion(data, size, advised);
}

void HugeRegion::Free(std::byte* data, size_t bytes) {
  if (data == nullptr || bytes == 0) return;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  munmap(data, RoundUp(bytes, page));
}

HugeRegion::~HugeRegion() {
  if (data_ != nullptr) munmap(data_, size_);
}

HugeRegion& HugeRegion::operator=(HugeRegion&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) munmap(data_, size_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    advised_ = std::exchange(o.advised_, 0);
  }
  return *this;
}

}  // namespace skiff
