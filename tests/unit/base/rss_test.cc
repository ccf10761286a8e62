// The Toeplitz hash against the RSS verification suite (Microsoft's RSS
// specification; Intel 82599 datasheet §7.1.2.8.3, the vectors DPDK's
// test_thash.c uses) and against DPDK's own rte_softrss; the symmetric key's
// symmetry; the RETA; and the per-queue port sets of active opens.
#include "stack/base/rss.h"

#include <gtest/gtest.h>
#include <rte_thash.h>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "stack/base/rss_ports.h"
#include "stack/base/toeplitz.h"

namespace skiff {
namespace {

constexpr uint32_t Ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

struct Vector {
  uint32_t dst, src;
  uint16_t dst_port, src_port;
  uint32_t hash_l3, hash_l3l4;
};

// The verification suite for IPv4, default (Microsoft) key.
constexpr Vector kSuite[] = {
    {Ip(161, 142, 100, 80), Ip(66, 9, 149, 187), 1766, 2794, 0x323e8fc2,
     0x51ccc178},
    {Ip(65, 69, 140, 83), Ip(199, 92, 111, 2), 4739, 14230, 0xd718262a,
     0xc626b0ea},
    {Ip(12, 22, 207, 184), Ip(24, 19, 198, 95), 38024, 12898, 0xd2d0a5de,
     0x5c2b394a},
    {Ip(209, 142, 163, 6), Ip(38, 27, 205, 30), 2217, 48228, 0x82989176,
     0xafc7327f},
    {Ip(202, 188, 127, 2), Ip(153, 39, 163, 191), 1303, 44251, 0x5d1809c5,
     0x10e828a2},
};

std::array<uint8_t, 12> Tuple(uint32_t src, uint32_t dst, uint16_t sp,
                              uint16_t dp) {
  return {static_cast<uint8_t>(src >> 24), static_cast<uint8_t>(src >> 16),
          static_cast<uint8_t>(src >> 8),  static_cast<uint8_t>(src),
          static_cast<uint8_t>(dst >> 24), static_cast<uint8_t>(dst >> 16),
          static_cast<uint8_t>(dst >> 8),  static_cast<uint8_t>(dst),
          static_cast<uint8_t>(sp >> 8),   static_cast<uint8_t>(sp),
          static_cast<uint8_t>(dp >> 8),   static_cast<uint8_t>(dp)};
}

// DPDK's software RSS: the tuple as host-order 32-bit words.
uint32_t SoftRss(const ToeplitzHash::Key& key, uint32_t src, uint32_t dst,
                 uint16_t sp, uint16_t dp) {
  uint32_t t[3] = {src, dst, (uint32_t{sp} << 16) | dp};
  return rte_softrss(t, 3, key.data());
}

// SplitMix64, for reproducible random tuples.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

TEST(Toeplitz, MicrosoftKey_VerificationSuite_Matches) {
  const ToeplitzHash h(ToeplitzHash::kMicrosoftKey);
  for (const Vector& v : kSuite) {
    const auto t = Tuple(v.src, v.dst, v.src_port, v.dst_port);
    EXPECT_EQ(ToeplitzHash::Reference(h.key(), std::span(t).first(8)),
              v.hash_l3);
    EXPECT_EQ(ToeplitzHash::Reference(h.key(), t), v.hash_l3l4);
    EXPECT_EQ(h.Ipv4(v.src, v.dst), v.hash_l3);
    EXPECT_EQ(h.Ipv4L4(v.src, v.dst, v.src_port, v.dst_port), v.hash_l3l4);
  }
}

TEST(Toeplitz, RandomTuples_TableReferenceAndRteSoftrssAgree) {
  for (const auto& key :
       {ToeplitzHash::kMicrosoftKey, ToeplitzHash::kSymmetricKey}) {
    const ToeplitzHash h(key);
    Rng rng{7};
    for (int i = 0; i < 10000; ++i) {
      const uint64_t r = rng.Next();
      const uint32_t src = static_cast<uint32_t>(r);
      const uint32_t dst = static_cast<uint32_t>(r >> 32);
      const uint16_t sp = static_cast<uint16_t>(rng.Next());
      const uint16_t dp = static_cast<uint16_t>(rng.Next());
      const uint32_t fast = h.Ipv4L4(src, dst, sp, dp);
      ASSERT_EQ(fast, ToeplitzHash::Reference(key, Tuple(src, dst, sp, dp)));
      ASSERT_EQ(fast, SoftRss(key, src, dst, sp, dp));
    }
  }
}

TEST(Toeplitz, SymmetricKey_BothDirectionsHashAlike) {
  const ToeplitzHash sym(ToeplitzHash::kSymmetricKey);
  const ToeplitzHash ms(ToeplitzHash::kMicrosoftKey);
  Rng rng{11};
  int ms_asymmetric = 0;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t r = rng.Next();
    const uint32_t a = static_cast<uint32_t>(r);
    const uint32_t b = static_cast<uint32_t>(r >> 32);
    const uint16_t pa = static_cast<uint16_t>(rng.Next());
    const uint16_t pb = static_cast<uint16_t>(rng.Next());
    ASSERT_EQ(sym.Ipv4L4(a, b, pa, pb), sym.Ipv4L4(b, a, pb, pa));
    ASSERT_EQ(sym.Ipv4(a, b), sym.Ipv4(b, a));
    if (ms.Ipv4L4(a, b, pa, pb) != ms.Ipv4L4(b, a, pb, pa)) ++ms_asymmetric;
  }
  // The default key is not symmetric: that is why skiff sets its own.
  EXPECT_GT(ms_asymmetric, 9900);
}

TEST(Rss, DefaultReta_RoundRobinIndexedByHashLowBits) {
  const RssSteering rss({.queues = 3});
  ASSERT_EQ(rss.reta().size(), 128u);
  EXPECT_EQ(rss.reta_mask(), 127u);
  for (uint32_t h : {0u, 1u, 2u, 3u, 127u, 128u, 0xdeadbeefu}) {
    EXPECT_EQ(rss.QueueOf(h), (h & 127) % 3) << h;
  }
  const ToeplitzHash ms(ToeplitzHash::kMicrosoftKey);
  const RssSteering by_ms({.key = ToeplitzHash::kMicrosoftKey, .queues = 4});
  const Vector& v = kSuite[0];
  EXPECT_EQ(by_ms.QueueOfIpv4L4(v.src, v.dst, v.src_port, v.dst_port),
            (v.hash_l3l4 & 127) % 4);
}

TEST(Rss, SetReta_RejectsBadTablesKeepsOld) {
  RssSteering rss({.queues = 2, .reta_size = 4});
  EXPECT_FALSE(rss.SetReta(std::vector<uint16_t>{0, 1, 2, 0}));  // queue 2
  EXPECT_FALSE(rss.SetReta(std::vector<uint16_t>{0, 1, 0}));     // size 3
  EXPECT_EQ(rss.reta().size(), 4u);
  EXPECT_TRUE(rss.SetReta(std::vector<uint16_t>{1, 1, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(rss.reta_mask(), 7u);
  EXPECT_EQ(rss.QueueOf(3), 1);
  EXPECT_EQ(rss.QueueOf(12), 0);
}

// Every port picked for queue k, for any remote, brings the reply (and,
// the key being symmetric, the segments we send) back to queue k.
TEST(RssPorts, PickedPorts_HashBackToTheirQueue) {
  const uint32_t local = Ip(10, 0, 0, 1);
  for (uint16_t queues : {1, 2, 3, 4, 8, 16}) {
    const RssSteering rss({.queues = queues});
    for (uint16_t k = 0; k < queues; ++k) {
      const RssPortSets sets(rss, k, 49152, 65535);
      Rng rng{queues * 100u + k};
      for (int i = 0; i < 200; ++i) {
        const uint32_t remote = static_cast<uint32_t>(rng.Next());
        const uint16_t rport = static_cast<uint16_t>(rng.Next() | 1);
        const uint16_t p =
            sets.Pick(local, remote, rport, static_cast<uint32_t>(rng.Next()),
                      [](uint16_t) { return true; });
        ASSERT_NE(p, 0);
        ASSERT_GE(p, 49152);
        ASSERT_EQ(rss.QueueOfIpv4L4(remote, local, rport, p), k)
            << "queues " << queues << " port " << p;
        ASSERT_EQ(rss.QueueOfIpv4L4(local, remote, p, rport), k);
      }
    }
  }
}

// Towards one remote the queues split the range between them; once a
// queue's share is taken, Pick says so (0) rather than hand out a port
// whose replies would reach another core.
TEST(RssPorts, OneRemote_QueuesPartitionTheRangeThenExhaust) {
  const uint32_t local = Ip(10, 0, 0, 1);
  const uint32_t remote = Ip(10, 0, 0, 2);
  const RssSteering rss({.queues = 4});
  std::set<uint16_t> all;
  for (uint16_t k = 0; k < 4; ++k) {
    const RssPortSets sets(rss, k, 60000, 61023);  // 1024 ports
    std::set<uint16_t> mine;
    for (uint32_t i = 0;; ++i) {
      const uint16_t p = sets.Pick(
          local, remote, 80, i, [&](uint16_t c) { return !mine.contains(c); });
      if (p == 0) break;
      ASSERT_EQ(rss.QueueOfIpv4L4(remote, local, 80, p), k);
      mine.insert(p);
    }
    // A fair share, not a sliver: the RETA is round-robin.
    EXPECT_GT(mine.size(), 1024u / 4 / 2) << "queue " << k;
    for (uint16_t p : mine) EXPECT_TRUE(all.insert(p).second);
  }
  EXPECT_EQ(all.size(), 1024u);
}

TEST(RssPorts, QueueWithoutRetaEntries_PicksNothing) {
  RssSteering rss({.queues = 2, .reta_size = 4});
  ASSERT_TRUE(rss.SetReta(std::vector<uint16_t>{0, 0, 0, 0}));
  const RssPortSets sets(rss, 1, 49152, 65535);
  EXPECT_EQ(sets.reta_entries(), 0u);
  EXPECT_EQ(sets.Pick(1, 2, 80, 0, [](uint16_t) { return true; }), 0);
}

}  // namespace
}  // namespace skiff
