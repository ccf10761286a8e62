#include "stack/base/slab.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

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

// Blocks are powers of two of slots: as many as a 2 MiB page holds, fewer
// when the capacity needs fewer. Handles stay valid across blocks.
TEST(Slab, BlocksSizedToHugePagesOrCapacity) {
  Slab<std::array<std::byte, 900>> big(1 << 20);  // a Connection's size
  EXPECT_EQ(big.block_slots(), 2048u);
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
  HugeRegion r = HugeRegion::Allocate(3 << 20);
  ASSERT_NE(r.data(), nullptr);
  EXPECT_EQ(r.size(), size_t{4} << 20);
  EXPECT_TRUE(r.advised());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(r.data()) % HugeRegion::kHugePage, 0u);
  for (size_t i = 0; i < r.size(); i += 4096) {
    ASSERT_EQ(r.data()[i], std::byte{0});
  }
  r.data()[r.size() - 1] = std::byte{1};  // all of it is ours
  HugeRegion small = HugeRegion::Allocate(100);
  ASSERT_NE(small.data(), nullptr);
  EXPECT_EQ(small.size(), 4096u);
  EXPECT_FALSE(small.advised());
  HugeRegion moved = std::move(small);
  EXPECT_EQ(small.data(), nullptr);
  EXPECT_NE(moved.data(), nullptr);
  EXPECT_EQ(HugeRegion::Allocate(0).data(), nullptr);
}

}  // namespace
}  // namespace skiff
