#include "drivers/sim/sim_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <thread>
#include <vector>

#include "drivers/sim/test_channel.h"
#include "tests/support/eal_env.h"
#include "tests/unit/drivers/frames.h"

namespace skiff {
namespace {

using ::skiff::testing::ChecksumsGood;
using ::skiff::testing::FrameId;
using ::skiff::testing::IcmpFrame;
using Frame = std::vector<std::byte>;

class SimWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = PacketPool::Create({.name = "simwire_a", .size = 2047});
    auto b = PacketPool::Create({.name = "simwire_b", .size = 2047});
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    pool_a_ = std::move(*a);
    pool_b_ = std::move(*b);
  }
  void TearDown() override {
    // Every frame, sent, lost, duplicated or still in flight, went back.
    EXPECT_EQ(pool_a_->available(), pool_a_->capacity());
    EXPECT_EQ(pool_b_->available(), pool_b_->capacity());
  }

  std::unique_ptr<SimWire> MakeWire(const SimWireConfig& config) {
    auto w = SimWire::Create(config, *pool_a_, *pool_b_);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }

  // Sends frames from `from`, each in its own mbuf of the sender's pool.
  static size_t Send(SimWire::Endpoint& from, const std::vector<Frame>& fs) {
    size_t accepted = 0;
    for (const Frame& f : fs) {
      std::array<Packet, 1> p = {from.pool().Alloc()};
      std::memcpy(p[0].Append(static_cast<uint16_t>(f.size())), f.data(),
                  f.size());
      accepted += from.TxBurst(p);
    }
    return accepted;
  }
  // Everything `at` receives now, as bytes (mbufs freed).
  static std::vector<Frame> Receive(SimWire::Endpoint& at) {
    std::vector<Frame> out;
    std::array<Packet, 16> burst;
    while (size_t n = at.RxBurst(burst)) {
      for (size_t i = 0; i < n; ++i) {
        out.push_back(PacketBytes(burst[i]));
        burst[i].Reset();
      }
    }
    return out;
  }
  static std::vector<Frame> Frames(MacAddress src, MacAddress dst, int n) {
    std::vector<Frame> fs;
    for (int i = 0; i < n; ++i) {
      fs.push_back(IcmpFrame(src, dst, static_cast<uint16_t>(i), 16 + i % 64));
    }
    return fs;
  }

  std::unique_ptr<PacketPool> pool_a_;
  std::unique_ptr<PacketPool> pool_b_;
};

TEST_F(SimWireTest, FramesPassBothWaysIntact) {
  auto w = MakeWire({});
  ASSERT_NE(w, nullptr);
  auto ab = Frames(w->a().mac(), w->b().mac(), 50);
  auto ba = Frames(w->b().mac(), w->a().mac(), 30);
  EXPECT_EQ(Send(w->a(), ab), 50u);
  EXPECT_EQ(Send(w->b(), ba), 30u);
  EXPECT_EQ(Receive(w->b()), ab);
  EXPECT_EQ(Receive(w->a()), ba);
  EXPECT_EQ(w->counters_a_to_b().sent, 50u);
  EXPECT_EQ(w->counters_a_to_b().delivered, 50u);
  EXPECT_EQ(w->counters_b_to_a().delivered, 30u);
  EXPECT_EQ(&w->a().pool(), pool_a_.get());
  EXPECT_EQ(&w->b().pool(), pool_b_.get());
  EXPECT_NE(w->a().mac(), w->b().mac());
  EXPECT_EQ(w->a().mtu(), 1500);
}

TEST_F(SimWireTest, ReceivedPacketsCarryNoOffloadFlags) {
  auto w = MakeWire({});
  std::array<Packet, 1> p = {w->a().pool().Alloc()};
  Frame f = IcmpFrame(w->a().mac(), w->b().mac(), 1);
  std::memcpy(p[0].Append(static_cast<uint16_t>(f.size())), f.data(), f.size());
  p[0].SetTxOffload({.ipv4_checksum = true, .l2_len = 14, .l3_len = 20});
  ASSERT_EQ(w->a().TxBurst(p), 1u);
  std::array<Packet, 1> rx;
  ASSERT_EQ(w->b().RxBurst(rx), 1u);
  EXPECT_FALSE(rx[0].wants_tx_ipv4_checksum());
  EXPECT_EQ(rx[0].rx_ip_checksum(), RxChecksum::kUnknown);
}

TEST_F(SimWireTest, LossOfOneDropsEverything) {
  auto w = MakeWire({.a_to_b = {.loss = 1.0}});
  EXPECT_EQ(Send(w->a(), Frames(w->a().mac(), w->b().mac(), 40)), 40u);
  EXPECT_TRUE(Receive(w->b()).empty());
  EXPECT_EQ(w->counters_a_to_b().lost, 40u);
  EXPECT_EQ(w->counters_a_to_b().delivered, 0u);
  // The other direction is untouched.
  EXPECT_EQ(Send(w->b(), Frames(w->b().mac(), w->a().mac(), 5)), 5u);
  EXPECT_EQ(Receive(w->a()).size(), 5u);
}

TEST_F(SimWireTest, CorruptionFlipsABytePastTheEthernetHeader) {
  auto w = MakeWire({.a_to_b = {.corrupt = 1.0}});
  auto sent = Frames(w->a().mac(), w->b().mac(), 100);
  Send(w->a(), sent);
  auto got = Receive(w->b());
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), sent[i].size());
    EXPECT_NE(got[i], sent[i]);
    EXPECT_TRUE(
        std::equal(sent[i].begin(), sent[i].begin() + 14, got[i].begin()))
        << "Ethernet header changed in frame " << i;
    EXPECT_TRUE(ChecksumsGood(sent[i]));
    EXPECT_FALSE(ChecksumsGood(got[i])) << "undetected flip in frame " << i;
  }
  EXPECT_EQ(w->counters_a_to_b().corrupted, 100u);
}

TEST_F(SimWireTest, DuplicationDeliversEveryFrameTwice) {
  auto w = MakeWire({.a_to_b = {.duplicate = 1.0}});
  auto sent = Frames(w->a().mac(), w->b().mac(), 10);
  Send(w->a(), sent);
  auto got = Receive(w->b());
  ASSERT_EQ(got.size(), 20u);
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[2 * i], sent[i]);
    EXPECT_EQ(got[2 * i + 1], sent[i]);
  }
  EXPECT_EQ(w->counters_a_to_b().duplicated, 10u);
}

TEST_F(SimWireTest, DelayHoldsFramesUntilDue) {
  SimWireConfig config{.a_to_b = {.delay = Duration::Millis(5)}};
  auto w = MakeWire(config);
  w->SetNow(Instant::FromNanos(1'000'000'000));
  Send(w->a(), Frames(w->a().mac(), w->b().mac(), 3));
  EXPECT_TRUE(Receive(w->b()).empty());
  EXPECT_EQ(w->b().NextArrival(),
            Instant::FromNanos(1'000'000'000) + Duration::Millis(5));
  w->SetNow(Instant::FromNanos(1'000'000'000) + Duration::Millis(4));
  EXPECT_TRUE(Receive(w->b()).empty());
  w->SetNow(Instant::FromNanos(1'000'000'000) + Duration::Millis(5));
  EXPECT_EQ(Receive(w->b()).size(), 3u);
  EXPECT_EQ(w->b().NextArrival(), Instant::Max());
}

TEST_F(SimWireTest, ClockReplacesSetNow) {
  ManualClock clock;
  auto w =
      MakeWire({.a_to_b = {.delay = Duration::Micros(100)}, .clock = &clock});
  Send(w->a(), Frames(w->a().mac(), w->b().mac(), 1));
  EXPECT_TRUE(Receive(w->b()).empty());
  clock.Advance(Duration::Micros(100));
  EXPECT_EQ(Receive(w->b()).size(), 1u);
}

TEST_F(SimWireTest, ReorderLetsLaterFramesOvertake) {
  auto w = MakeWire({.a_to_b = {.seed = 3, .reorder = 0.3}});
  auto sent = Frames(w->a().mac(), w->b().mac(), 100);
  Send(w->a(), sent);
  auto early = Receive(w->b());
  const uint64_t reordered = w->counters_a_to_b().reordered;
  EXPECT_GT(reordered, 0u);
  EXPECT_EQ(early.size(), 100u - reordered);
  w->SetNow(Instant() + Duration::Millis(1));  // reorder_delay
  auto late = Receive(w->b());
  EXPECT_EQ(late.size(), reordered);
  // All frames arrived, once each, not in the order sent.
  std::vector<uint16_t> ids;
  for (const auto* part : {&early, &late}) {
    for (const Frame& f : *part) ids.push_back(FrameId(f));
  }
  EXPECT_FALSE(std::is_sorted(ids.begin(), ids.end()));
  std::sort(ids.begin(), ids.end());
  for (uint16_t i = 0; i < 100; ++i) EXPECT_EQ(ids[i], i);
}

// One run of mixed faults: what arrived, in order, and the counters.
struct Outcome {
  std::vector<Frame> frames;
  SimLinkCounters counters;
};

TEST_F(SimWireTest, SameSeedGivesTheSameFaults) {
  auto run = [&](uint64_t seed) {
    SimLinkConfig link{.seed = seed,
                       .loss = 0.1,
                       .reorder = 0.1,
                       .duplicate = 0.1,
                       .corrupt = 0.1,
                       .delay = Duration::Micros(50)};
    auto w = MakeWire({.a_to_b = link});
    Outcome out;
    auto sent = Frames(w->a().mac(), w->b().mac(), 400);
    for (size_t i = 0; i < sent.size(); i += 10) {
      w->SetNow(Instant() + Duration::Micros(static_cast<int64_t>(i)));
      Send(w->a(), {sent.begin() + i, sent.begin() + i + 10});
      for (Frame& f : Receive(w->b())) out.frames.push_back(std::move(f));
    }
    w->SetNow(Instant() + Duration::Seconds(1));
    for (Frame& f : Receive(w->b())) out.frames.push_back(std::move(f));
    out.counters = w->counters_a_to_b();
    return out;
  };
  Outcome first = run(42);
  Outcome again = run(42);
  Outcome other = run(43);

  const SimLinkCounters& c = first.counters;
  EXPECT_EQ(c.sent, 400u);
  EXPECT_GT(c.lost, 0u);
  EXPECT_GT(c.reordered, 0u);
  EXPECT_GT(c.duplicated, 0u);
  EXPECT_GT(c.corrupted, 0u);
  EXPECT_EQ(c.delivered, c.sent - c.lost + c.duplicated);
  EXPECT_EQ(first.frames.size(), c.delivered);

  EXPECT_EQ(again.frames, first.frames);
  EXPECT_EQ(again.counters.lost, c.lost);
  EXPECT_EQ(again.counters.reordered, c.reordered);
  EXPECT_EQ(again.counters.duplicated, c.duplicated);
  EXPECT_EQ(again.counters.corrupted, c.corrupted);
  EXPECT_NE(other.frames, first.frames);
}

TEST_F(SimWireTest, FullRingPushesBack) {
  auto w = MakeWire({.a_to_b = {.ring_size = 8}});
  auto sent = Frames(w->a().mac(), w->b().mac(), 12);
  EXPECT_EQ(Send(w->a(), sent), 8u);
  EXPECT_EQ(w->counters_a_to_b().ring_full, 4u);
  EXPECT_EQ(Receive(w->b()).size(), 8u);
  EXPECT_EQ(Send(w->a(), sent), 8u);
}

TEST_F(SimWireTest, OversizeFramesAreDropped) {
  auto w = MakeWire({.mtu = 100});
  EXPECT_EQ(Send(w->a(), {IcmpFrame(w->a().mac(), w->b().mac(), 1, 100 - 28),
                          IcmpFrame(w->a().mac(), w->b().mac(), 2, 100)}),
            2u);
  EXPECT_EQ(Receive(w->b()).size(), 1u);
  EXPECT_EQ(w->counters_a_to_b().oversize, 1u);
}

TEST_F(SimWireTest, FramesInFlightAreFreedWithTheWire) {
  auto w = MakeWire({.a_to_b = {.delay = Duration::Seconds(1)}});
  Send(w->a(), Frames(w->a().mac(), w->b().mac(), 20));
  EXPECT_TRUE(Receive(w->b()).empty());                  // now staged, not due
  Send(w->a(), Frames(w->a().mac(), w->b().mac(), 20));  // in the ring
  w.reset();
  // TearDown checks the pools.
}

TEST_F(SimWireTest, TwoThreadsTalkOverTheWire) {
  auto w = MakeWire({});
  constexpr int kFrames = 20000;
  auto pump = [](SimWire::Endpoint& self, MacAddress peer, uint64_t* got) {
    Frame f = IcmpFrame(self.mac(), peer, 1);
    int sent = 0;
    std::array<Packet, 8> rx;
    while (sent < kFrames || *got < kFrames) {
      if (sent < kFrames) {
        std::array<Packet, 1> p = {self.pool().Alloc()};
        if (p[0]) {
          std::memcpy(p[0].Append(static_cast<uint16_t>(f.size())), f.data(),
                      f.size());
          sent += static_cast<int>(self.TxBurst(p));
        }
      }
      size_t n = self.RxBurst(rx);
      for (size_t i = 0; i < n; ++i) {
        if (ChecksumsGood(PacketBytes(rx[i]))) ++*got;
        rx[i].Reset();
      }
    }
  };
  uint64_t got_a = 0, got_b = 0;
  std::thread ta(pump, std::ref(w->a()), w->b().mac(), &got_a);
  std::thread tb(pump, std::ref(w->b()), w->a().mac(), &got_b);
  ta.join();
  tb.join();
  EXPECT_EQ(got_a, static_cast<uint64_t>(kFrames));
  EXPECT_EQ(got_b, static_cast<uint64_t>(kFrames));
  EXPECT_EQ(w->counters_a_to_b().delivered, static_cast<uint64_t>(kFrames));
}

}  // namespace
}  // namespace skiff
