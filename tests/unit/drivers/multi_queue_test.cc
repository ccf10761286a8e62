// The multi-queue in-process wire (drivers/sim/multi_queue_wire.h) and
// software dispatch (drivers/dispatch/dispatch_device.h): where frames land,
// who owns them, what is handed over, what is counted.
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "drivers/dispatch/dispatch_device.h"
#include "drivers/sim/multi_queue_wire.h"
#include "stack/buf/packet_pool.h"
#include "tests/support/eal_env.h"

namespace skiff {
namespace {

using Frame = std::vector<std::byte>;
constexpr uint32_t kIpA = 0x0a000001, kIpB = 0x0a000002;

// Ethernet + IPv4 + the first bytes of a TCP header (ports): enough for RSS.
Frame TcpFrame(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp) {
  Frame f(14 + 20 + 20);
  std::byte* p = f.data();
  StoreBe16(p + 12, 0x0800);
  std::byte* ip = p + 14;
  Store8(ip, 0x45);
  StoreBe16(ip + 2, 40);
  Store8(ip + 8, 64);
  Store8(ip + 9, 6);
  StoreBe32(ip + 12, src);
  StoreBe32(ip + 16, dst);
  StoreBe16(ip + 20, sp);
  StoreBe16(ip + 22, dp);
  return f;
}

Frame ArpFrame(uint16_t op, uint32_t sender, uint32_t target) {
  Frame f(14 + 28);
  std::byte* p = f.data();
  StoreBe16(p + 12, 0x0806);
  std::byte* a = p + 14;
  StoreBe16(a, 1);
  StoreBe16(a + 2, 0x0800);
  Store8(a + 4, 6);
  Store8(a + 5, 4);
  StoreBe16(a + 6, op);
  Store8(a + 8, 0x02);  // sender MAC 02:..
  StoreBe32(a + 14, sender);
  StoreBe32(a + 24, target);
  return f;
}

// An ICMP port unreachable from router `from` to B about a segment B sent
// from port 80 to A's port `a_port`.
Frame IcmpErrorFrame(uint32_t from, uint16_t a_port) {
  Frame f(14 + 20 + 8 + 20 + 8);
  std::byte* p = f.data();
  StoreBe16(p + 12, 0x0800);
  std::byte* ip = p + 14;
  Store8(ip, 0x45);
  Store8(ip + 9, 1);
  StoreBe32(ip + 12, from);
  StoreBe32(ip + 16, kIpB);
  Store8(ip + 20, 3);
  Store8(ip + 21, 3);
  std::byte* q = ip + 28;
  Store8(q, 0x45);
  Store8(q + 9, 6);
  StoreBe32(q + 12, kIpB);
  StoreBe32(q + 16, kIpA);
  StoreBe16(q + 20, 80);
  StoreBe16(q + 22, a_port);
  return f;
}

uint16_t SrcPort(const Packet& p) { return LoadBe16(p.data().data() + 34); }

class MultiQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = PacketPool::Create({.name = "mq_a", .size = 4095});
    auto b = PacketPool::Create({.name = "mq_b", .size = 4095});
    ASSERT_TRUE(a.ok() && b.ok());
    pool_a_ = std::move(*a);
    pool_b_ = std::move(*b);
  }
  void TearDown() override {
    group_.reset();
    wire_.reset();
    EXPECT_EQ(pool_a_->available(), pool_a_->capacity());
    EXPECT_EQ(pool_b_->available(), pool_b_->capacity());
  }
  void MakeWire(uint16_t qa, uint16_t qb, SimSteering steer_b,
                SimSteering steer_a = SimSteering::kRss) {
    MultiQueueWireConfig c;
    c.a.queues = qa;
    c.a.steering = steer_a;
    c.b.queues = qb;
    c.b.steering = steer_b;
    auto w = MultiQueueWire::Create(c, *pool_a_, *pool_b_);
    ASSERT_TRUE(w.ok()) << w.status();
    wire_ = std::move(*w);
  }
  void Send(MultiQueueWire::Queue& q, const Frame& f) {
    Packet p = pool_a_->Alloc();
    std::memcpy(p.Append(static_cast<uint16_t>(f.size())), f.data(), f.size());
    std::array<Packet, 1> one{std::move(p)};
    ASSERT_EQ(q.TxBurst(one), 1u);
  }
  std::vector<Packet> Drain(Device& d) {
    std::vector<Packet> all;
    std::array<Packet, 32> burst;
    for (size_t n; (n = d.RxBurst(burst)) > 0;) {
      for (size_t i = 0; i < n; ++i) all.push_back(std::move(burst[i]));
    }
    return all;
  }

  std::unique_ptr<PacketPool> pool_a_, pool_b_;
  std::unique_ptr<MultiQueueWire> wire_;
  std::unique_ptr<DispatchGroup> group_;
};

TEST_F(MultiQueueTest, Rss_FramesLandOnTheirQueueWithHash_RepliesComeBack) {
  MakeWire(4, 4, SimSteering::kRss);
  for (uint16_t port = 1000; port < 1400; ++port) {
    Send(wire_->a(port % 4), TcpFrame(kIpA, kIpB, port, 80));
  }
  size_t total = 0;
  for (uint16_t q = 0; q < 4; ++q) {
    for (Packet& p : Drain(wire_->b(q))) {
      ++total;
      const uint16_t sp = SrcPort(p);
      EXPECT_EQ(wire_->rss_b().QueueOfIpv4L4(kIpA, kIpB, sp, 80), q);
      ASSERT_NE(p.mbuf()->ol_flags & RTE_MBUF_F_RX_RSS_HASH, 0u);
      EXPECT_EQ(p.mbuf()->hash.rss,
                wire_->rss_b().hash().Ipv4L4(kIpA, kIpB, sp, 80));
      // The reply, sent from the queue that got the request, lands on the
      // same-numbered queue of A: the key is symmetric.
      Send(wire_->b(q), TcpFrame(kIpB, kIpA, 80, sp));
      std::vector<Packet> back = Drain(wire_->a(q));
      ASSERT_EQ(back.size(), 1u) << "port " << sp;
    }
  }
  EXPECT_EQ(total, 400u);
}

TEST_F(MultiQueueTest, Rss_ArpGoesToRetaZeroQueue) {
  MakeWire(1, 3, SimSteering::kRss);
  Send(wire_->a(0), ArpFrame(2, kIpA, kIpB));
  EXPECT_EQ(Drain(wire_->b(0)).size(), 1u);
}

TEST_F(MultiQueueTest, SingleQueueAndForeignHash_MisdirectFlows) {
  MakeWire(2, 2, SimSteering::kSingleQueue);
  for (uint16_t port = 1000; port < 1100; ++port) {
    Send(wire_->a(0), TcpFrame(kIpA, kIpB, port, 80));
  }
  EXPECT_EQ(Drain(wire_->b(0)).size(), 100u);
  EXPECT_TRUE(Drain(wire_->b(1)).empty());
  wire_.reset();

  MakeWire(2, 2, SimSteering::kForeignHash, SimSteering::kForeignHash);
  size_t split = 0;
  for (uint16_t port = 1000; port < 1100; ++port) {
    Send(wire_->a(0), TcpFrame(kIpA, kIpB, port, 80));
    Send(wire_->b(0), TcpFrame(kIpB, kIpA, 80, port));
    const bool b0 = Drain(wire_->b(0)).size() == 1;
    const bool a0 = Drain(wire_->a(0)).size() == 1;
    Drain(wire_->a(1));
    Drain(wire_->b(1));
    split += (a0 != b0);
  }
  EXPECT_GT(split, 20u);  // the asymmetric key splits many flows
}

// Every packet arrives on queue 0; dispatch hands each to its owner.
TEST_F(MultiQueueTest, Dispatch_SingleQueue_EveryPacketReachesItsOwner) {
  MakeWire(1, 3, SimSteering::kSingleQueue);
  auto g = DispatchGroup::Create(wire_->rss_b(), {});
  ASSERT_TRUE(g.ok()) << g.status();
  group_ = std::move(*g);
  std::vector<std::unique_ptr<DispatchDevice>> lcores;
  for (uint16_t k = 0; k < 3; ++k) {
    lcores.push_back(std::make_unique<DispatchDevice>(*group_, k, wire_->b(k)));
  }
  std::array<size_t, 3> expected{};
  for (uint16_t port = 2000; port < 2300; ++port) {
    Send(wire_->a(0), TcpFrame(kIpA, kIpB, port, 80));
    ++expected[wire_->rss_b().QueueOfIpv4L4(kIpA, kIpB, port, 80)];
  }
  // lcore 0 first (it reads the queue), then the others take their share.
  std::array<std::vector<Packet>, 3> got;
  got[0] = Drain(*lcores[0]);
  for (uint16_t k = 1; k < 3; ++k) got[k] = Drain(*lcores[k]);
  for (uint16_t k = 0; k < 3; ++k) {
    EXPECT_EQ(got[k].size(), expected[k]) << "lcore " << k;
    for (const Packet& p : got[k]) {
      EXPECT_EQ(wire_->rss_b().QueueOfIpv4L4(kIpA, kIpB, SrcPort(p), 80), k);
    }
  }
  const DispatchCounters c0 = lcores[0]->counters();
  EXPECT_EQ(c0.local, expected[0]);
  EXPECT_EQ(c0.handed_off, expected[1] + expected[2]);
  EXPECT_EQ(lcores[1]->counters().from_peers, expected[1]);
  EXPECT_EQ(c0.ring_full, 0u);
}

TEST_F(MultiQueueTest, Dispatch_RingFull_DropsAndCountsNeverBlocks) {
  MakeWire(1, 2, SimSteering::kSingleQueue);
  auto g = DispatchGroup::Create(wire_->rss_b(), {.ring_size = 8});
  ASSERT_TRUE(g.ok()) << g.status();
  group_ = std::move(*g);
  DispatchDevice d0(*group_, 0, wire_->b(0));
  size_t for_1 = 0;
  for (uint16_t port = 2000; port < 2200; ++port) {
    Send(wire_->a(0), TcpFrame(kIpA, kIpB, port, 80));
    for_1 += wire_->rss_b().QueueOfIpv4L4(kIpA, kIpB, port, 80) == 1;
  }
  Drain(d0);  // lcore 1 never polls
  ASSERT_GT(for_1, 8u);
  EXPECT_EQ(d0.counters().handed_off, 8u);
  EXPECT_EQ(d0.counters().ring_full, for_1 - 8);
}

TEST_F(MultiQueueTest, Dispatch_SteeringPortWithOurHash_NoHandoff) {
  MakeWire(1, 2, SimSteering::kRss);
  auto g = DispatchGroup::Create(wire_->rss_b(), {.port_hash_is_ours = true});
  ASSERT_TRUE(g.ok()) << g.status();
  group_ = std::move(*g);
  DispatchDevice d0(*group_, 0, wire_->b(0)), d1(*group_, 1, wire_->b(1));
  for (uint16_t port = 2000; port < 2200; ++port) {
    Send(wire_->a(0), TcpFrame(kIpA, kIpB, port, 80));
  }
  const size_t n = Drain(d0).size() + Drain(d1).size();
  EXPECT_EQ(n, 200u);
  EXPECT_EQ(d0.counters().handed_off + d1.counters().handed_off, 0u);
  EXPECT_EQ(d0.counters().local + d1.counters().local, 200u);
}

// ARP reaches queue 0 only; every lcore must see it. Copies of a request
// read as replies, so only the receiving lcore answers.
TEST_F(MultiQueueTest, Dispatch_Arp_CopiedToEveryLcore_RequestsRelabelled) {
  MakeWire(1, 3, SimSteering::kRss);
  auto g = DispatchGroup::Create(wire_->rss_b(), {.port_hash_is_ours = true});
  ASSERT_TRUE(g.ok()) << g.status();
  group_ = std::move(*g);
  std::vector<std::unique_ptr<DispatchDevice>> lcores;
  for (uint16_t k = 0; k < 3; ++k) {
    lcores.push_back(std::make_unique<DispatchDevice>(*group_, k, wire_->b(k)));
  }
  Send(wire_->a(0), ArpFrame(1, kIpA, kIpB));  // request: who has B?
  Send(wire_->a(0), ArpFrame(2, kIpA, kIpB));  // reply
  Send(wire_->a(0), ArpFrame(1, 0, kIpB));     // probe: not copied
  std::vector<Packet> at0 = Drain(*lcores[0]);
  ASSERT_EQ(at0.size(), 3u);
  EXPECT_EQ(LoadBe16(at0[0].data().data() + 20), 1);  // the original request
  for (uint16_t k = 1; k < 3; ++k) {
    std::vector<Packet> got = Drain(*lcores[k]);
    ASSERT_EQ(got.size(), 2u) << "lcore " << k;
    for (const Packet& p : got) {
      EXPECT_EQ(LoadBe16(p.data().data() + 20), 2);  // reads as a reply
      EXPECT_EQ(LoadBe32(p.data().data() + 28), kIpA);
    }
  }
  EXPECT_EQ(lcores[0]->counters().arp_copies, 4u);
}

// ICMP errors hash by the outer address pair at the NIC (a router's), so
// they land on one queue; dispatch hands each to the lcore owning the flow
// it quotes, also when the port's hash is otherwise trusted.
TEST_F(MultiQueueTest, Dispatch_IcmpError_GoesToTheQuotedFlowsLcore) {
  for (const bool port_hash_is_ours : {true, false}) {
    SCOPED_TRACE(port_hash_is_ours);
    MakeWire(1, 2, SimSteering::kRss);
    auto g = DispatchGroup::Create(wire_->rss_b(),
                                   {.port_hash_is_ours = port_hash_is_ours});
    ASSERT_TRUE(g.ok()) << g.status();
    group_ = std::move(*g);
    DispatchDevice d0(*group_, 0, wire_->b(0)), d1(*group_, 1, wire_->b(1));
    constexpr uint32_t kRouter = 0xc0a80001;
    std::array<size_t, 2> expected{};
    for (uint16_t port = 2000; port < 2100; ++port) {
      Send(wire_->a(0), IcmpErrorFrame(kRouter, port));
      ++expected[wire_->rss_b().QueueOfIpv4L4(kIpA, kIpB, port, 80)];
    }
    ASSERT_GT(expected[0], 0u);
    ASSERT_GT(expected[1], 0u);
    std::array<std::vector<Packet>, 2> got{Drain(d0), Drain(d1)};
    for (Packet& p : Drain(d0)) got[0].push_back(std::move(p));  // from d1
    for (uint16_t k = 0; k < 2; ++k) {
      EXPECT_EQ(got[k].size(), expected[k]) << "lcore " << k;
      for (const Packet& p : got[k]) {
        const uint16_t a_port = LoadBe16(p.data().data() + 14 + 28 + 22);
        EXPECT_EQ(wire_->rss_b().QueueOfIpv4L4(kIpA, kIpB, a_port, 80), k);
      }
    }
    EXPECT_EQ(d0.counters().icmp_by_quote + d1.counters().icmp_by_quote, 100u);
    EXPECT_GT(d0.counters().handed_off + d1.counters().handed_off, 0u);
    got = {};
    group_.reset();
    wire_.reset();
  }
}

}  // namespace
}  // namespace skiff
