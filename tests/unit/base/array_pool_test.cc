// ArrayPool: fixed-size arrays recycled through a free list.
#include "stack/base/array_pool.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

namespace skiff {
namespace {

TEST(ArrayPool, TakeGivesZeroedDistinctArraysAndRecycles) {
  ArrayPool<uint64_t, 5, 4> pool;  // 4 per heap block: forces several
  std::vector<uint64_t*> taken;
  for (int i = 0; i < 10; ++i) {
    uint64_t* a = pool.Take();
    for (int k = 0; k < 5; ++k) {
      ASSERT_EQ(a[k], 0u);
      a[k] = 1000 * i + k;  // dirty it, and catch overlaps below
    }
    taken.push_back(a);
  }
  EXPECT_EQ(pool.in_use(), 10u);
  EXPECT_EQ(std::set<uint64_t*>(taken.begin(), taken.end()).size(), 10u);
  for (int i = 0; i < 10; ++i) {
    for (int k = 0; k < 5; ++k) EXPECT_EQ(taken[i][k], 1000u * i + k);
  }
  const size_t footprint = pool.footprint();
  EXPECT_GE(footprint, 10 * 5 * sizeof(uint64_t));
  for (uint64_t* a : taken) pool.Give(a);
  EXPECT_EQ(pool.in_use(), 0u);
  // Recycled, zeroed again, and no new heap block for the same count.
  for (int i = 0; i < 10; ++i) {
    uint64_t* a = pool.Take();
    for (int k = 0; k < 5; ++k) ASSERT_EQ(a[k], 0u);
    a[0] = 7;
  }
  EXPECT_EQ(pool.footprint(), footprint);
  EXPECT_EQ(pool.in_use(), 10u);
}

}  // namespace
}  // namespace skiff
