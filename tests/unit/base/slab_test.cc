#include "stack/base/slab.h"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "stack/base/huge_allocator.h"
#include "stack/base/huge_region.h"

namespace skiff {
namespace {

TEST(Slab, HandleGoesStaleWhenErasedEvenAfterReuse) {
  Slab<std::string> slab(4);
  SlabHandle a = slab.Emplace("a");
  ASSERT_TRUE(a.valid());
  EXPECT_EQ(*slab.Get(a), "a");
  EXPECT_TRUE(slab.Erase(a));
  EXPECT_EQ(slab.Get(a), nullptr);
  EXPECT_FALSE(slab.Erase(a));
  SlabHandle b = slab.Emplace("b");  // reuses a's slot
  EXPECT_EQ(b.index, a.index);
  EXPECT_EQ(slab.Get(a), nullptr);
  EXPECT_EQ(*slab.Get(b), "b");
}

TEST(Slab, FullSlabRefuses) {
  Slab<int> slab(2);
  EXPECT_TRUE(slab.Emplace(1).valid());
  EXPECT_TRUE(slab.Emplace(2).valid());
  EXPECT_TRUE(slab.full());
  EXPECT_FALSE(slab.Emplace(3).valid());
  EXPECT_EQ(slab.size(), 2u);
}

TEST(Slab, ObjectsNeverMoveWhileAlive) {
  Slab<int> slab(10000);
  SlabHandle first = slab.Emplace(7);
  int* p = slab.Get(first);
  for (int i = 0; i < 9000; ++i) slab.Emplace(i);
  EXPECT_EQ(slab.Get(first), p);
  int live = 0;
  slab.ForEach([&](SlabHandle, int&) { ++live; });
  EXPECT_EQ(live, 9001);
}

// Blocks are powers of two of slots that fill a 2 MiB page with at most
// an eighth left on small pages (the smallest such), fewer slots when the
// capacity needs fewer.
template <size_t kBytes>
void ExpectHugeBlocks() {
  constexpr size_t kPage = HugeRegion::kHugePage;
  SCOPED_TRACE(kBytes);
  Slab<std::array<std::byte, kBytes>> big(1 << 20);
  EXPECT_TRUE(std::has_single_bit(big.block_slots()));
  EXPECT_GE(big.block_bytes(), kPage);
  EXPECT_LE(big.block_bytes() % kPage, big.block_bytes() / 8);
  const size_t half = big.block_bytes() / 2;
  EXPECT_TRUE(half < kPage || half % kPage > half / 8);
}

TEST(Slab, BlocksSizedToHugePagesOrCapacity) {
  ExpectHugeBlocks<900>();
  ExpectHugeBlocks<1016>();  // a TCB
  ExpectHugeBlocks<1100>();
  ExpectHugeBlocks<1500>();
  ExpectHugeBlocks<3000>();
  Slab<int> small(100);
  EXPECT_EQ(small.block_slots(), 128u);
  Slab<std::array<std::byte, 4 << 20>> huge(3);  // larger than a page
  EXPECT_EQ(huge.block_slots(), 1u);
}

TEST(Slab, DestroysEveryLiveObjectAndReusesAcrossBlocks) {
  auto counter = std::make_shared<int>(0);
  {
    Slab<std::shared_ptr<int>> slab(5000);
    std::vector<SlabHandle> hs;
    for (int i = 0; i < 5000; ++i) hs.push_back(slab.Emplace(counter));
    EXPECT_TRUE(slab.full());
    EXPECT_EQ(counter.use_count(), 5001);
    for (int i = 0; i < 5000; i += 2) EXPECT_TRUE(slab.Erase(hs[i]));
    EXPECT_EQ(counter.use_count(), 2501);
    for (int i = 0; i < 2500; ++i) EXPECT_TRUE(slab.Emplace(counter).valid());
    EXPECT_FALSE(slab.Emplace(counter).valid());
    EXPECT_EQ(*slab.Get(hs[4999]), counter);
  }
  EXPECT_EQ(counter.use_count(), 1);  // the slab destroyed all 5000
}

TEST(HugeRegion, LargeRegionsAre2MiBAlignedAndZeroed) {
  HugeRegion r = HugeRegion::Allocate((3 << 20) + 100);
  ASSERT_NE(r.data(), nullptr);
  EXPECT_EQ(r.size(), (size_t{3} << 20) + 4096);
  EXPECT_EQ(r.advised(), size_t{2} << 20);  // whole huge pages only
  EXPECT_EQ(reinterpret_cast<uintptr_t>(r.data()) % HugeRegion::kHugePage, 0u);
  for (size_t i = 0; i < r.size(); i += 4096) {
    ASSERT_EQ(r.data()[i], std::byte{0});
  }
  r.data()[r.size() - 1] = std::byte{1};  // all of it is ours
  HugeRegion small = HugeRegion::Allocate(100);
  ASSERT_NE(small.data(), nullptr);
  EXPECT_EQ(small.size(), 4096u);
  EXPECT_EQ(small.advised(), 0u);
  HugeRegion moved = std::move(small);
  EXPECT_EQ(small.data(), nullptr);
  EXPECT_NE(moved.data(), nullptr);
  EXPECT_EQ(HugeRegion::Allocate(0).data(), nullptr);
}

// Large arrays on 2 MiB-aligned regions, small ones on the heap; a hash
// map of a million entries grows and shrinks through it.
TEST(HugeAllocator, LargeArraysOnHugeRegions) {
  HugeAllocator<uint64_t> a;
  uint64_t* big = a.allocate(1 << 20);  // 8 MiB
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % HugeRegion::kHugePage, 0u);
  big[(1 << 20) - 1] = 1;
  a.deallocate(big, 1 << 20);
  uint64_t* small = a.allocate(10);
  small[9] = 1;
  a.deallocate(small, 10);
  absl::flat_hash_map<uint32_t, uint32_t, absl::Hash<uint32_t>,
                      std::equal_to<uint32_t>,
                      HugeAllocator<std::pair<const uint32_t, uint32_t>>>
      m;
  for (uint32_t i = 0; i < 1'000'000; ++i) m.emplace(i, i * 3);
  for (uint32_t i = 0; i < 1'000'000; i += 9973) EXPECT_EQ(m.at(i), i * 3);
  m.clear();
  m.rehash(0);
  EXPECT_TRUE(m.empty());
}

}  // namespace
}  // namespace skiff
