// SackScoreboard: the sender's RFC 2018 §5 record of SACKed ranges.
#include "stack/tcp/sack_scoreboard.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace skiff {
namespace {

constexpr SeqNum kUna(1000);
constexpr SeqNum kMax(1000 + 100'000);

TcpOptions Sacks(std::initializer_list<std::pair<uint32_t, uint32_t>> blocks) {
  TcpOptions o;
  for (const auto& [l, r] : blocks) {
    o.sack[o.sack_count++] = {kUna + l, kUna + r};
  }
  return o;
}

std::vector<std::pair<uint32_t, uint32_t>> Ranges(const SackScoreboard& sb) {
  std::vector<std::pair<uint32_t, uint32_t>> v;
  for (uint8_t i = 0; i < sb.size(); ++i) {
    v.emplace_back(static_cast<uint32_t>(sb[i].left - kUna),
                   static_cast<uint32_t>(sb[i].right - kUna));
  }
  return v;
}

using R = std::vector<std::pair<uint32_t, uint32_t>>;

TEST(SackScoreboard, KeepsRangesSortedAndCountsNewBytes) {
  SackScoreboard sb;
  EXPECT_EQ(sb.Update(Sacks({{3000, 4000}, {1000, 2000}}), kUna, kMax), 2000u);
  EXPECT_EQ(Ranges(sb), (R{{1000, 2000}, {3000, 4000}}));
  // The same blocks again report nothing new.
  EXPECT_EQ(sb.Update(Sacks({{1000, 2000}}), kUna, kMax), 0u);
  EXPECT_EQ(sb.Bytes(), 2000u);
}

TEST(SackScoreboard, MergesOverlapsAndCoalescesNeighbours) {
  SackScoreboard sb;
  sb.Update(Sacks({{1000, 2000}, {3000, 4000}}), kUna, kMax);
  // Bridges the gap: three ranges become one.
  EXPECT_EQ(sb.Update(Sacks({{1500, 3500}}), kUna, kMax), 1000u);
  EXPECT_EQ(Ranges(sb), (R{{1000, 4000}}));
}

TEST(SackScoreboard, IgnoresBlocksThatMakeNoSense) {
  SackScoreboard sb;
  // Empty, inverted, at or below SND.UNA, beyond SND.MAX (RFC 2018 §5).
  TcpOptions o = Sacks({{500, 500}, {900, 800}});
  o.sack[o.sack_count++] = {kUna - 100, kUna};
  o.sack[o.sack_count++] = {kMax - 10, kMax + 10};
  EXPECT_EQ(sb.Update(o, kUna, kMax), 0u);
  EXPECT_TRUE(sb.empty());
  // A block reaching below SND.UNA is clipped to it.
  o = Sacks({{0, 10}});
  o.sack[0].left = kUna - 50;
  EXPECT_EQ(sb.Update(o, kUna, kMax), 10u);
  EXPECT_EQ(Ranges(sb), (R{{0, 10}}));
}

TEST(SackScoreboard, FullForgetsTheHighestRange) {
  SackScoreboard sb;
  for (uint32_t i = 0; i < SackScoreboard::kBlocks; ++i) {
    sb.Update(Sacks({{1000 * (i + 1), 1000 * (i + 1) + 100}}), kUna, kMax);
  }
  ASSERT_EQ(sb.size(), SackScoreboard::kBlocks);
  const SeqNum highest = sb.back().left;
  sb.Update(Sacks({{500, 600}}), kUna, kMax);
  EXPECT_EQ(sb.size(), SackScoreboard::kBlocks);
  EXPECT_EQ(sb.front().left, kUna + 500);
  for (uint8_t i = 0; i < sb.size(); ++i) EXPECT_NE(sb[i].left, highest);
}

TEST(SackScoreboard, PruneAboveAndSkip) {
  SackScoreboard sb;
  sb.Update(Sacks({{1000, 2000}, {3000, 4000}, {5000, 6000}}), kUna, kMax);
  EXPECT_EQ(sb.Above(kUna + 3500), 500u + 1000u);
  EXPECT_EQ(sb.Above(kUna), 3000u);
  // From inside a range to its end; from a hole, unchanged; never past
  // the limit.
  EXPECT_EQ(sb.SkipSacked(kUna + 1200, kMax), kUna + 2000);
  EXPECT_EQ(sb.SkipSacked(kUna + 2500, kMax), kUna + 2500);
  EXPECT_EQ(sb.SkipSacked(kUna + 3000, kUna + 3500), kUna + 3500);
  sb.Prune(kUna + 4000);
  EXPECT_EQ(Ranges(sb), (R{{5000, 6000}}));
  sb.Clear();
  EXPECT_TRUE(sb.empty());
  EXPECT_EQ(sb.Bytes(), 0u);
}

// The blocks are the layer's only while there are any: a connection whose
// flight has no SACKed range holds no storage.
TEST(SackScoreboard, HoldsPoolStorageOnlyWhileItHasBlocks) {
  ChunkPool pool(1 << 20);
  {
    SackScoreboard sb(&pool);
    EXPECT_FALSE(sb.holds_storage());
    // Nothing valid to record: nothing taken.
    sb.Update(Sacks({{500, 500}}), kUna, kMax);
    EXPECT_FALSE(sb.holds_storage());
    EXPECT_EQ(pool.sack_boards_in_use(), 0u);
    sb.Update(Sacks({{1000, 2000}, {3000, 4000}}), kUna, kMax);
    EXPECT_TRUE(sb.holds_storage());
    EXPECT_EQ(pool.sack_boards_in_use(), 1u);
    sb.Prune(kUna + 2500);  // one range left
    EXPECT_EQ(pool.sack_boards_in_use(), 1u);
    sb.Prune(kUna + 4000);  // SND.UNA passed the last range
    EXPECT_FALSE(sb.holds_storage());
    EXPECT_EQ(pool.sack_boards_in_use(), 0u);
    sb.Update(Sacks({{1000, 2000}}), kUna, kMax);
    EXPECT_EQ(pool.sack_boards_in_use(), 1u);
    sb.Clear();  // RFC 2018 §8 after a timeout
    EXPECT_EQ(pool.sack_boards_in_use(), 0u);
    sb.Update(Sacks({{1000, 2000}}), kUna, kMax);
  }
  // Destroyed while holding: given back.
  EXPECT_EQ(pool.sack_boards_in_use(), 0u);
  // Recycled storage starts clean: a new board sees only its own blocks.
  SackScoreboard sb(&pool);
  sb.Update(Sacks({{7000, 8000}}), kUna, kMax);
  EXPECT_EQ(Ranges(sb), (R{{7000, 8000}}));
}

}  // namespace
}  // namespace skiff
