// SendQueue (stack/tcp/send_queue.h): copied and owned bytes in one
// stream, peeked across piece boundaries, owned buffers released once
// when acknowledged or freed.
#include "stack/tcp/send_queue.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace skiff {
namespace {

std::byte At(size_t i) { return static_cast<std::byte>((i * 37 + 11) & 0xff); }

void Release(void* ctx, const std::byte*, size_t) { ++*static_cast<int*>(ctx); }

std::vector<std::byte> Bytes(size_t from, size_t n) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = At(from + i);
  return v;
}

std::vector<std::byte> PeekAll(const SendQueue& q, uint32_t off, uint32_t n) {
  ConstByteSpan parts[2];
  q.Peek(off, n, parts);
  std::vector<std::byte> v(parts[0].begin(), parts[0].end());
  v.insert(v.end(), parts[1].begin(), parts[1].end());
  return v;
}

TEST(SendQueueTest, MixedPiecesPeekConsumeAndRelease) {
  SendQueue q(256 * 1024);
  size_t pos = 0;
  std::vector<std::byte> a = Bytes(pos, 3000);
  ASSERT_EQ(q.Append(a), 3000u);
  pos += 3000;
  std::vector<std::byte> owned1 = Bytes(pos, 5000);
  int r1 = 0;
  OwnedBytes o1(owned1.data(), owned1.size(), &Release, &r1);
  ASSERT_TRUE(q.AppendOwned(o1));
  EXPECT_TRUE(o1.empty());
  pos += 5000;
  std::vector<std::byte> b = Bytes(pos, 100);
  ASSERT_EQ(q.Append(b), 100u);
  pos += 100;
  std::vector<std::byte> owned2 = Bytes(pos, 4000);
  int r2 = 0;
  OwnedBytes o2(owned2.data(), owned2.size(), &Release, &r2);
  ASSERT_TRUE(q.AppendOwned(o2));
  pos += 4000;
  ASSERT_EQ(q.size(), pos);
  EXPECT_EQ(q.owned_bytes(), 9000u);
  EXPECT_EQ(q.owned_buffers(), 2u);
  // Every 1460-byte window, across every boundary, reads the stream.
  for (uint32_t off = 0; off + 1460 <= pos; off += 333) {
    EXPECT_EQ(PeekAll(q, off, 1460), Bytes(off, 1460)) << off;
  }
  // Within one owned buffer: its own bytes, no copy.
  ConstByteSpan parts[2];
  q.Peek(3500, 1000, parts);
  EXPECT_EQ(parts[0].data(), owned1.data() + 500);
  q.Consume(7999);  // one byte of owned1 left
  EXPECT_EQ(r1, 0);
  EXPECT_EQ(PeekAll(q, 0, 2000), Bytes(7999, 2000));
  q.Consume(1);
  EXPECT_EQ(r1, 1);
  q.Consume(100 + 3999);
  EXPECT_EQ(r2, 0);
  EXPECT_EQ(PeekAll(q, 0, 1), Bytes(pos - 1, 1));
  q.Consume(1);
  EXPECT_EQ(r2, 1);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(r1, 1);
}

TEST(SendQueueTest, RefusesWhatDoesNotFitAndFreeReleasesOnce) {
  SendQueue q(16 * 1024);
  std::vector<std::byte> big(64 * 1024);
  int r1 = 0, r2 = 0;
  OwnedBytes o1(big.data(), big.size(), &Release, &r1);
  ASSERT_TRUE(q.AppendOwned(o1));  // an empty queue takes any size
  EXPECT_EQ(q.available(), 0u);
  EXPECT_EQ(q.Append(big), 0u);
  OwnedBytes o2(big.data(), 2048, &Release, &r2);
  EXPECT_FALSE(q.AppendOwned(o2));  // no room: untouched
  EXPECT_EQ(o2.size(), 2048u);
  EXPECT_EQ(r2, 0);
  EXPECT_FALSE(q.SetCapacity(1024));
  q.Free();
  EXPECT_EQ(r1, 1);
  EXPECT_TRUE(q.empty());
  q.Free();
  EXPECT_EQ(r1, 1);
}

TEST(SendQueueTest, SmallOwnedBuffersAreCopiedAndReleasedAtOnce) {
  SendQueue q(16 * 1024);
  std::vector<std::byte> small = Bytes(0, 100);
  int r = 0;
  OwnedBytes o(small.data(), small.size(), &Release, &r);
  ASSERT_TRUE(q.AppendOwned(o));
  EXPECT_EQ(r, 1);
  EXPECT_EQ(q.owned_bytes(), 0u);
  std::memset(small.data(), 0, small.size());  // ours again
  EXPECT_EQ(PeekAll(q, 0, 100), Bytes(0, 100));
}

TEST(SendQueueTest, DestroyingTheQueueReleases) {
  int r = 0;
  std::vector<std::byte> big(8192);
  {
    SendQueue q(16 * 1024);
    OwnedBytes o(big.data(), big.size(), &Release, &r);
    ASSERT_TRUE(q.AppendOwned(o));
    EXPECT_EQ(r, 0);
  }
  EXPECT_EQ(r, 1);
}

}  // namespace
}  // namespace skiff
