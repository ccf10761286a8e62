// Two Connections wired to each other in-process: what one emits is fed to
// the other after a seeded delay, with seeded loss and reordering. A 4 MiB
// transfer must arrive byte-exact and both sides must close cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "stack/base/clock.h"
#include "stack/tcp/connection.h"

namespace skiff {
namespace {

struct InFlight {
  Instant at;
  uint64_t order;  // FIFO among equal times
  bool to_server;
  TcpRepr header;
  std::vector<std::byte> payload;
};

struct LinkParams {
  double loss = 0;     // probability a segment vanishes
  double reorder = 0;  // probability a segment is delayed extra
  uint32_t seed = 1;
  bool options = true;  // WS/TS/SACK on both sides
  Duration delay = Duration::Millis(5);
};

class Link final {
 public:
  explicit Link(const LinkParams& p) : p_(p), rng_(p.seed) {}

  class Sink final : public SegmentSink {
   public:
    Sink(Link* link, bool to_server) : link_(link), to_server_(to_server) {}
    bool Emit(const TcpSegmentOut& seg) override {
      link_->Put(seg, to_server_);
      return true;
    }
    Instant now;

   private:
    Link* link_;
    bool to_server_;
  };

  void Put(const TcpSegmentOut& seg, bool to_server) {
    ++sent_;
    if (chance_(rng_) < p_.loss) {
      ++lost_;
      return;
    }
    // A 1 Gbit/s link: each direction serializes its segments, so a burst
    // arrives spread out as on a wire; reordered ones are held back.
    Instant& free_at = to_server ? free_to_server_ : free_to_client_;
    free_at = std::max(free_at, now) +
              Duration::Nanos(8 * static_cast<int64_t>(seg.payload_len() + 54));
    Duration d = p_.delay + (free_at - now);
    if (chance_(rng_) < p_.reorder) d += Duration::Millis(3);
    InFlight f{now + d, order_++, to_server, seg.header, {}};
    for (const ConstByteSpan& s : seg.payload) {
      f.payload.insert(f.payload.end(), s.begin(), s.end());
    }
    q_.push_back(std::move(f));
  }

  // Removes and returns the segments due by `now`, in arrival order.
  std::vector<InFlight> Due() {
    std::vector<InFlight> due;
    auto it = std::partition(q_.begin(), q_.end(),
                             [&](const InFlight& f) { return f.at > now; });
    due.assign(std::make_move_iterator(it), std::make_move_iterator(q_.end()));
    q_.erase(it, q_.end());
    std::sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) {
      return a.at != b.at ? a.at < b.at : a.order < b.order;
    });
    return due;
  }
  Instant NextArrival() const {
    Instant t = Instant::Max();
    for (const InFlight& f : q_) t = std::min(t, f.at);
    return t;
  }

  Instant now;
  uint64_t sent_ = 0, lost_ = 0;

 private:
  LinkParams p_;
  std::mt19937 rng_;
  std::uniform_real_distribution<double> chance_{0.0, 1.0};
  std::vector<InFlight> q_;
  uint64_t order_ = 0;
  Instant free_to_server_, free_to_client_;
};

std::byte Pattern(size_t i) {
  return static_cast<std::byte>((i * 2654435761u) >> 13);
}

void RunTransfer(const LinkParams& p, size_t total) {
  TcpConfig cfg;
  cfg.window_scaling = cfg.timestamps = cfg.sack = p.options;
  if (!p.options) cfg.recv_buffer_size = 64 * 1024;
  DropCounters drops;
  Link link(p);
  link.now = Instant::FromNanos(1'000'000'000);
  const FourTuple ct{Ipv4Address(10, 0, 0, 1), 40000, Ipv4Address(10, 0, 0, 2),
                     80};
  const FourTuple st{ct.remote_addr, ct.remote_port, ct.local_addr,
                     ct.local_port};
  Connection client(cfg, &drops);
  std::unique_ptr<Connection> server;
  Link::Sink to_server(&link, true), to_client(&link, false);
  client.Connect(ct, SeqNum(0xfffff000u), link.now);  // wraps early

  std::vector<std::byte> src(total);
  for (size_t i = 0; i < total; ++i) src[i] = Pattern(i);
  std::vector<std::byte> got;
  got.reserve(total);
  size_t offered = 0;
  bool client_shut = false, server_eof = false;
  std::vector<std::byte> buf(64 * 1024);

  for (int step = 0; step < 2'000'000; ++step) {
    for (InFlight& f : link.Due()) {
      TcpSegmentIn in{f.header, f.payload};
      if (f.to_server) {
        if (!server && f.header.flags == TcpFlag::kSyn) {
          server = std::make_unique<Connection>(cfg, &drops);
          server->AcceptSyn(st, SeqNum(0x7ffffff0u), f.header, link.now);
        } else if (server) {
          server->OnSegment(in, link.now);
        }
      } else {
        client.OnSegment(in, link.now);
      }
    }
    // Applications.
    while (offered < total && client.writable()) {
      SendResult r = client.Send(ConstByteSpan(src).subspan(offered));
      if (!r.ok() || r.value() == 0) break;
      offered += r.value();
    }
    if (offered == total && !client_shut && client.connected()) {
      client.Shutdown();
      client_shut = true;
    }
    if (server) {
      for (;;) {
        RecvResult r = server->Recv(buf);
        if (r.ok()) {
          got.insert(got.end(), buf.begin(), buf.begin() + r.value());
          continue;
        }
        if (r.error() == RecvError::kEof && !server_eof) {
          server_eof = true;
          server->Close();
        }
        break;
      }
    }
    client.PollTransmit(link.now, to_server);
    if (server) server->PollTransmit(link.now, to_client);

    const bool server_done = server && server->state() == TcpState::kClosed;
    const bool client_done = client.state() == TcpState::kTimeWait ||
                             client.state() == TcpState::kClosed;
    if (server_done && client_done) break;
    Instant next = std::min({link.NextArrival(), client.NextDeadline(),
                             server ? server->NextDeadline() : Instant::Max()});
    ASSERT_NE(next, Instant::Max()) << "stuck at step " << step;
    if (next > link.now) link.now = next;
  }
  ASSERT_TRUE(server);
  EXPECT_EQ(server->state(), TcpState::kClosed);
  EXPECT_EQ(server->error(), ConnectionError::kNone);
  EXPECT_EQ(client.state(), TcpState::kTimeWait);
  ASSERT_EQ(got.size(), total);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), src.begin()));
  EXPECT_FALSE(server->buffers_allocated());
  EXPECT_FALSE(client.buffers_allocated());
  if (p.loss > 0) {
    EXPECT_GT(link.lost_, 0u);
    EXPECT_GT(client.stats().retransmits, 0u);
  }
  std::printf(
      "pair: %zu bytes, %llu segments (%llu lost), %.3f s simulated,"
      " client rexmit %u fast %u sack %u rto %u, server ooo %u\n",
      total, static_cast<unsigned long long>(link.sent_),
      static_cast<unsigned long long>(link.lost_),
      (link.now - Instant::FromNanos(1'000'000'000)).seconds(),
      client.stats().retransmits, client.stats().fast_retransmits,
      client.stats().sack_retransmits, client.stats().timeouts,
      server->stats().out_of_order);
}

constexpr size_t k4MiB = 4 * 1024 * 1024;

TEST(TcpPair, CleanLink_4MiBByteExact) { RunTransfer({}, k4MiB); }

TEST(TcpPair, LossAndReorder_4MiBByteExact) {
  RunTransfer({.loss = 0.01, .reorder = 0.05, .seed = 7}, k4MiB);
}

TEST(TcpPair, LossWithoutOptions_4MiBByteExact) {
  RunTransfer({.loss = 0.02, .reorder = 0.02, .seed = 11, .options = false},
              k4MiB);
}

TEST(TcpPair, HeavyLossManySeeds_ByteExact) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE(seed);
    RunTransfer({.loss = 0.05, .reorder = 0.1, .seed = seed}, 256 * 1024);
  }
}

}  // namespace
}  // namespace skiff
