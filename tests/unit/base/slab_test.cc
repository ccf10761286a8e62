#include "stack/base/slab.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace skiff
