// The pieces under Connection: ISN/SipHash, byte ring, reassembly, RTT
// estimator, NewReno.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "stack/tcp/byte_ring.h"
#include "stack/tcp/congestion.h"
#include "stack/tcp/isn.h"
#include "stack/tcp/reassembly.h"
#include "stack/tcp/rtt.h"

namespace skiff {
namespace {

SipKey SequentialKey() {
  SipKey k;
  std::iota(k.begin(), k.end(), uint8_t{0});
  return k;
}

// Test vectors from the SipHash paper (Appendix A) and its reference code.
TEST(SipHash24, ReferenceVectors) {
  std::vector<std::byte> msg(15);
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = std::byte(i);
  EXPECT_EQ(SipHash24(SequentialKey(), {}), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(SipHash24(SequentialKey(), msg), 0xa129ca6149be45e5ull);
}

TEST(IsnGenerator, ClockTicksEvery4Micros) {
  IsnGenerator g(SequentialKey());
  FourTuple t{Ipv4Address(10, 0, 0, 1), 80, Ipv4Address(10, 0, 0, 2), 40000};
  Instant t0 = Instant::FromNanos(1'000'000'000);
  SeqNum a = g.Next(t, t0);
  EXPECT_EQ(g.Next(t, t0 + Duration::Micros(4)) - a, 1);
  EXPECT_EQ(g.Next(t, t0 + Duration::Millis(4)) - a, 1000);
}

TEST(IsnGenerator, TupleAndKeyChangeTheOffset) {
  IsnGenerator g(SequentialKey());
  SipKey other = SequentialKey();
  other[0] = 0xff;
  IsnGenerator h(other);
  FourTuple t{Ipv4Address(10, 0, 0, 1), 80, Ipv4Address(10, 0, 0, 2), 40000};
  FourTuple u = t;
  u.remote_port = 40001;
  Instant now = Instant::FromNanos(5);
  EXPECT_NE(g.Next(t, now), g.Next(u, now));
  EXPECT_NE(g.Next(t, now), h.Next(t, now));
  EXPECT_EQ(g.Next(t, now), g.Next(t, now));
}

TEST(IsnGenerator, TimestampOffset_StablePerTupleUnlikeIsn) {
  IsnGenerator g(SequentialKey());
  FourTuple t{Ipv4Address(10, 0, 0, 1), 80, Ipv4Address(10, 0, 0, 2), 40000};
  FourTuple u = t;
  u.local_port = 81;
  EXPECT_EQ(g.TimestampOffset(t), g.TimestampOffset(t));
  EXPECT_NE(g.TimestampOffset(t), g.TimestampOffset(u));
  EXPECT_NE(g.TimestampOffset(t), g.Next(t, Instant()).value());
}

std::string Str(ConstByteSpan a, ConstByteSpan b) {
  std::string s(reinterpret_cast<const char*>(a.data()), a.size());
  s.append(reinterpret_cast<const char*>(b.data()), b.size());
  return s;
}

TEST(ByteRing, AllocatesOnFirstWriteAndFreesWhenEmpty) {
  ByteRing r(8);
  EXPECT_FALSE(r.allocated());
  EXPECT_EQ(r.Append(AsBytes("abcdef", 6)), 6u);
  EXPECT_TRUE(r.allocated());
  r.Consume(4);
  EXPECT_EQ(r.Append(AsBytes("ghijklmn", 8)), 6u);  // only 6 fit
  ConstByteSpan p[2];
  r.Peek(0, 8, p);
  EXPECT_EQ(Str(p[0], p[1]), "efghijkl");
  char out[8];
  EXPECT_EQ(r.Read(ByteSpan(reinterpret_cast<std::byte*>(out), 3)), 3u);
  EXPECT_EQ(std::string(out, 3), "efg");
  r.Consume(5);
  r.FreeIfEmpty();
  EXPECT_FALSE(r.allocated());
}

// Bytes cross chunk boundaries and the slot ring wraps; drained chunks go
// back to the pool at once.
TEST(ByteRing, ChunksFromPool_WrapAndReturnAsTheyDrain) {
  constexpr uint32_t kC = ByteRing::kChunkSize;
  ChunkPool pool(uint64_t{64} * kC);
  ByteRing r(3 * kC, &pool);
  std::string data(3 * kC, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  size_t wpos = 0, rpos = 0;
  for (int round = 0; round < 10; ++round) {
    const size_t n = std::min<size_t>(kC + 1000, data.size() - 0);
    std::string chunk;
    for (size_t i = 0; i < n; ++i) chunk += data[(wpos + i) % data.size()];
    ASSERT_EQ(r.Append(AsBytes(chunk.data(), chunk.size())), n);
    wpos += n;
    EXPECT_LE(r.chunks_held(), 4u);
    ConstByteSpan p[2];
    r.Peek(kC - 10, 20, p);  // across a boundary
    std::string want;
    for (size_t i = 0; i < 20; ++i)
      want += data[(rpos + kC - 10 + i) % data.size()];
    EXPECT_EQ(Str(p[0], p[1]), want);
    std::string got(n, '\0');
    ASSERT_EQ(r.Read(ByteSpan(reinterpret_cast<std::byte*>(got.data()), n)), n);
    std::string want2;
    for (size_t i = 0; i < n; ++i) want2 += data[(rpos + i) % data.size()];
    EXPECT_EQ(got, want2);
    rpos += n;
    EXPECT_LE(r.chunks_held(), 1u);  // only the head's chunk
  }
  EXPECT_EQ(pool.in_use(), r.chunks_held());
  r.Free();
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_LE(pool.high_water(), 4u);
}

// An exhausted pool: Append takes what fits, available() says so, and
// WriteBeyond reports failure; nothing crashes.
TEST(ByteRing, PoolExhausted_TakesWhatFits) {
  constexpr uint32_t kC = ByteRing::kChunkSize;
  ChunkPool pool(2 * kC);
  ByteRing a(4 * kC, &pool), b(4 * kC, &pool);
  std::string big(4 * kC, 'x');
  EXPECT_EQ(a.Append(AsBytes(big.data(), big.size())), 2 * kC);
  EXPECT_EQ(a.available(), 0u);
  EXPECT_EQ(b.available(), 0u);
  EXPECT_EQ(b.Append(AsBytes("y", 1)), 0u);
  EXPECT_FALSE(b.WriteBeyond(0, AsBytes("y", 1)));
  EXPECT_GE(pool.exhausted(), 1u);
  a.Consume(kC);  // one chunk back
  EXPECT_EQ(b.Append(AsBytes("y", 1)), 1u);
  EXPECT_EQ(b.available(), kC - 1);
}

// The slot table exists only while chunks are held: an idle ring (an
// idle connection's two) holds no table, and tables are recycled.
TEST(ByteRing, SlotTableOnlyWhileChunksAreHeld) {
  constexpr uint32_t kC = ByteRing::kChunkSize;
  ChunkPool pool(uint64_t{64} * kC);
  ByteRing r(256 * 1024, &pool);
  EXPECT_EQ(pool.tables_in_use(), 0u);
  std::string data(kC + 100, 'z');
  ASSERT_EQ(r.Append(AsBytes(data.data(), data.size())), data.size());
  EXPECT_EQ(pool.tables_in_use(), 1u);
  r.Consume(kC);  // the first chunk drains, the second is still held
  EXPECT_EQ(r.chunks_held(), 1u);
  EXPECT_EQ(pool.tables_in_use(), 1u);
  r.Consume(100);
  r.FreeIfEmpty();
  EXPECT_EQ(pool.tables_in_use(), 0u);
  // Drained exactly to a chunk boundary: chunks and table go at once.
  std::string one(kC, 'q');
  ASSERT_EQ(r.Append(AsBytes(one.data(), one.size())), one.size());
  EXPECT_EQ(pool.tables_in_use(), 1u);
  r.Consume(kC);
  EXPECT_EQ(r.chunks_held(), 0u);
  EXPECT_EQ(pool.tables_in_use(), 0u);
  // Many rings take and give back tables without losing any.
  std::vector<std::unique_ptr<ByteRing>> rings;
  for (int i = 0; i < 40; ++i) {
    rings.push_back(std::make_unique<ByteRing>(64 * 1024, &pool));
    ASSERT_EQ(rings.back()->Append(AsBytes("abc", 3)), 3u);
  }
  EXPECT_EQ(pool.tables_in_use(), 40u);
  for (int i = 0; i < 40; ++i) {
    char out[3];
    ASSERT_EQ(rings[i]->Read(ByteSpan(reinterpret_cast<std::byte*>(out), 3)),
              3u);
    EXPECT_EQ(std::string(out, 3), "abc");
    rings[i]->FreeIfEmpty();
  }
  EXPECT_EQ(pool.tables_in_use(), 0u);
  EXPECT_EQ(pool.in_use(), 0u);
}

// A ring larger than a pooled table (over 256 KiB) keeps a heap table and
// works the same.
TEST(ByteRing, LargeRingHeapTable) {
  constexpr uint32_t kC = ByteRing::kChunkSize;
  ChunkPool pool(uint64_t{64} * kC);
  ByteRing r(1024 * 1024, &pool);
  std::string data(600 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
  ASSERT_EQ(r.Append(AsBytes(data.data(), data.size())), data.size());
  EXPECT_EQ(pool.tables_in_use(), 0u);
  std::string got(data.size(), '\0');
  ASSERT_EQ(
      r.Read(ByteSpan(reinterpret_cast<std::byte*>(got.data()), got.size())),
      got.size());
  EXPECT_EQ(got, data);
  r.Free();
  EXPECT_EQ(pool.in_use(), 0u);
}

// An exhausted pool leaves no table behind in a ring that got no chunk.
TEST(ByteRing, PoolExhausted_NoTableWithoutChunks) {
  constexpr uint32_t kC = ByteRing::kChunkSize;
  ChunkPool pool(kC);
  ByteRing a(2 * kC, &pool), b(2 * kC, &pool);
  std::string one(kC, 'x');
  ASSERT_EQ(a.Append(AsBytes(one.data(), one.size())), kC);
  EXPECT_FALSE(b.WriteBeyond(0, AsBytes("y", 1)));
  ByteSpan room[2];
  EXPECT_EQ(b.Reserve(10, room), 0u);
  EXPECT_EQ(pool.tables_in_use(), 1u);  // a's only
}

TEST(ByteRing, WriteBeyondThenExtend) {
  ByteRing r(8);
  r.Append(AsBytes("ab", 2));
  r.WriteBeyond(2, AsBytes("ef", 2));  // out of order
  r.WriteBeyond(0, AsBytes("cd", 2));
  r.Extend(4);
  ConstByteSpan p[2];
  r.Peek(0, 6, p);
  EXPECT_EQ(Str(p[0], p[1]), "abcdef");
}

TEST(Reassembly, MergesAndPopsContiguous) {
  Reassembly q;
  EXPECT_TRUE(q.Add(SeqNum(10), SeqNum(20), 4));
  EXPECT_TRUE(q.Add(SeqNum(30), SeqNum(40), 4));
  EXPECT_TRUE(q.Add(SeqNum(20), SeqNum(25), 4));  // touches the first
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.PopContiguous(SeqNum(5)), SeqNum(5));
  EXPECT_EQ(q.PopContiguous(SeqNum(12)), SeqNum(25));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_TRUE(q.Add(SeqNum(24), SeqNum(45), 4));  // covers the rest
  EXPECT_EQ(q.PopContiguous(SeqNum(25)), SeqNum(45));
  EXPECT_TRUE(q.empty());
}

TEST(Reassembly, BoundOnRangesRejectsNewHoles) {
  Reassembly q;
  EXPECT_TRUE(q.Add(SeqNum(10), SeqNum(20), 2));
  EXPECT_TRUE(q.Add(SeqNum(30), SeqNum(40), 2));
  EXPECT_FALSE(q.Add(SeqNum(50), SeqNum(60), 2));
  EXPECT_TRUE(q.Add(SeqNum(35), SeqNum(45), 2));  // merges: allowed
}

TEST(Reassembly, SackBlocksMostRecentFirst) {
  Reassembly q;
  q.Add(SeqNum(10), SeqNum(20), 8);
  q.Add(SeqNum(50), SeqNum(60), 8);
  q.Add(SeqNum(30), SeqNum(40), 8);
  q.Add(SeqNum(55), SeqNum(65), 8);  // changes the 50 block: most recent
  std::array<SackBlock, 4> b{};
  ASSERT_EQ(q.FillSack(b, 4), 3);
  EXPECT_EQ(b[0], (SackBlock{SeqNum(50), SeqNum(65)}));
  EXPECT_EQ(b[1], (SackBlock{SeqNum(30), SeqNum(40)}));
  EXPECT_EQ(b[2], (SackBlock{SeqNum(10), SeqNum(20)}));
  EXPECT_EQ(q.FillSack(b, 1), 1);
}

TEST(Reassembly, WrapsAroundSequenceSpace) {
  Reassembly q;
  q.Add(SeqNum(0xfffffff0u), SeqNum(0x10), 4);
  EXPECT_EQ(q.PopContiguous(SeqNum(0xfffffff0u)), SeqNum(0x10));
}

TEST(RttEstimator, Rfc6298Smoothing) {
  RttEstimator r(Duration::Seconds(1));
  const Duration lo = Duration::Millis(1), hi = Duration::Seconds(60);
  EXPECT_EQ(r.rto(hi), Duration::Seconds(1));  // §2.1
  r.Sample(Duration::Millis(100), lo, hi);     // §2.2
  EXPECT_EQ(r.srtt(), Duration::Millis(100));
  EXPECT_EQ(r.rttvar(), Duration::Millis(50));
  EXPECT_EQ(r.rto(hi), Duration::Millis(300));
  r.Sample(Duration::Millis(200), lo, hi);         // §2.3
  EXPECT_EQ(r.rttvar(), Duration::Micros(62500));  // 3/4*50 + 1/4*100
  EXPECT_EQ(r.srtt(), Duration::Micros(112500));   // 7/8*100 + 1/8*200
}

TEST(RttEstimator, BackoffDoublesUpToMax) {
  RttEstimator r(Duration::Seconds(1));
  r.Backoff();
  r.Backoff();
  EXPECT_EQ(r.rto(Duration::Seconds(60)), Duration::Seconds(4));
  for (int i = 0; i < 10; ++i) r.Backoff();
  EXPECT_EQ(r.rto(Duration::Seconds(60)), Duration::Seconds(60));
  r.ResetBackoff();
  EXPECT_EQ(r.rto(Duration::Seconds(60)), Duration::Seconds(1));
}

TEST(RttEstimator, MinimumApplies) {
  RttEstimator r;
  r.Sample(Duration::Micros(50), Duration::Millis(200), Duration::Seconds(60));
  EXPECT_EQ(r.rto(Duration::Seconds(60)), Duration::Millis(200));
}

TEST(NewReno, SlowStartThenCongestionAvoidance) {
  NewReno cc;
  cc.Reset(1000, 2, SeqNum(0));
  EXPECT_EQ(cc.cwnd(), 2000u);
  cc.OnAck(SeqNum(1001), 1000, 2000);
  EXPECT_EQ(cc.cwnd(), 3000u);  // +1 SMSS per ACK
  cc.OnRetransmitTimeout(SeqNum(4001), 3000);
  EXPECT_EQ(cc.cwnd(), 1000u);      // loss window
  EXPECT_EQ(cc.ssthresh(), 2000u);  // max(flight/2, 2*SMSS)
  cc.OnAck(SeqNum(5001), 1000, 1000);
  EXPECT_EQ(cc.cwnd(), 2000u);  // slow start up to ssthresh
  cc.OnAck(SeqNum(6001), 1000, 1000);
  EXPECT_EQ(cc.cwnd(), 2000u);  // CA: needs a cwnd's worth of bytes
  cc.OnAck(SeqNum(7001), 1000, 1000);
  EXPECT_EQ(cc.cwnd(), 3000u);
}

TEST(NewReno, ThirdDupAck_FastRecoveryPartialAndFullAck) {
  NewReno cc;
  cc.Reset(1000, 10, SeqNum(0));
  EXPECT_FALSE(cc.OnDupAck(1, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_FALSE(cc.OnDupAck(2, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_TRUE(cc.OnDupAck(3, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_TRUE(cc.in_recovery());
  EXPECT_EQ(cc.ssthresh(), 5000u);
  EXPECT_EQ(cc.cwnd(), 8000u);  // ssthresh + 3 SMSS
  EXPECT_FALSE(cc.OnDupAck(4, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_EQ(cc.cwnd(), 9000u);  // inflated
  // Partial ACK: resend, deflate by 3000 acked, add back one SMSS.
  EXPECT_TRUE(cc.OnAck(SeqNum(3001), 3000, 10000));
  EXPECT_EQ(cc.cwnd(), 7000u);
  EXPECT_TRUE(cc.in_recovery());
  // Full ACK (>= recover): out, cwnd = min(ssthresh, flight + SMSS).
  EXPECT_FALSE(cc.OnAck(SeqNum(10001), 7000, 7000));
  EXPECT_FALSE(cc.in_recovery());
  EXPECT_EQ(cc.cwnd(), 1000u + 1000u);  // flight 0 → max(0, SMSS) + SMSS
}

TEST(NewReno, DupAcksAfterTimeout_NoSecondReduction) {
  NewReno cc;
  cc.Reset(1000, 10, SeqNum(0));
  cc.OnRetransmitTimeout(SeqNum(10001), 10000);  // recover = 10001
  EXPECT_FALSE(cc.OnDupAck(3, SeqNum(1), SeqNum(10001), 10000));
  EXPECT_FALSE(cc.in_recovery());
}

}  // namespace
}  // namespace skiff
