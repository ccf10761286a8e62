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
  // A slow server application: reads at most read_chunk bytes every
  // read_every (zero: reads everything at once), into a small buffer.
  Duration read_every = Duration::Zero();
  size_t read_chunk = 0;
  uint32_t server_rcvbuf = 0;  // 0: the default
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

std::byte Pattern(size_t i, uint32_t salt) {
  return static_cast<std::byte>(((i + salt) * 2654435761u) >> 13);
}

// One end: its connection, what its application sends and what it got.
// It is polled the way the layer does it (connection.h): PollAt() after
// every call; timers fired once their deadline passed; PollTransmit only
// when PollAt said a segment is due. A missed output would stall the
// transfer.
struct End {
  std::unique_ptr<Connection> conn;
  std::vector<std::byte> src, got;
  size_t offered = 0;
  bool shut = false, eof = false, pending = false;
  Duration read_every = Duration::Zero();
  size_t read_chunk = SIZE_MAX;
  Instant next_read;

  void Note(Instant now) { pending |= conn->PollAt(now) <= now; }
  void App(Instant now, std::vector<std::byte>& buf) {
    while (offered < src.size() && conn->writable()) {
      SendResult r = conn->Send(ConstByteSpan(src).subspan(offered));
      if (!r.ok() || r.value() == 0) break;
      offered += r.value();
    }
    if (offered == src.size() && !shut && conn->connected()) {
      conn->Shutdown();
      shut = true;
    }
    size_t budget = SIZE_MAX;
    if (read_every > Duration::Zero()) {
      budget = now >= next_read ? read_chunk : 0;
      if (budget > 0) next_read = now + read_every;
    }
    for (;;) {
      RecvResult r =
          conn->Recv(ByteSpan(buf).first(std::min(buf.size(), budget)));
      if (r.ok() && r.value() > 0) {
        got.insert(got.end(), buf.begin(), buf.begin() + r.value());
        budget -= r.value();
        continue;
      }
      if (r.ok()) break;  // out of budget
      if (r.error() == RecvError::kEof && !eof) {
        eof = true;
        if (shut) conn->Close();
      }
      break;
    }
    if (eof && shut) conn->Close();
    Note(now);
  }
  void Poll(Instant now, SegmentSink& sink) {
    if (conn->NextDeadline() <= now) {
      conn->OnTimers(now);
      Note(now);
    }
    if (pending) {
      pending = false;
      conn->PollTransmit(now, sink);
      Note(now);
    }
  }
  // Closed (or in TIME-WAIT) and the application read up to EOF.
  bool done() const {
    return conn && eof &&
           (conn->state() == TcpState::kClosed ||
            conn->state() == TcpState::kTimeWait);
  }
};

void RunTransfer(const LinkParams& p, size_t total, size_t reply = 0) {
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
  End client, server;
  client.conn = std::make_unique<Connection>(cfg, &drops);
  client.src.resize(total);
  for (size_t i = 0; i < total; ++i) client.src[i] = Pattern(i, 0);
  server.read_every = p.read_every;
  server.read_chunk = p.read_chunk;
  server.src.resize(reply);
  for (size_t i = 0; i < reply; ++i) server.src[i] = Pattern(i, 77);
  Link::Sink to_server(&link, true), to_client(&link, false);
  client.conn->Connect(ct, SeqNum(0xfffff000u), link.now);  // wraps early
  client.Note(link.now);
  std::vector<std::byte> buf(64 * 1024);

  for (int step = 0; step < 2'000'000; ++step) {
    for (InFlight& f : link.Due()) {
      TcpSegmentIn in{f.header, f.payload};
      End& to = f.to_server ? server : client;
      if (!to.conn) {
        if (f.header.flags != TcpFlag::kSyn) continue;
        to.conn = std::make_unique<Connection>(cfg, &drops);
        if (p.server_rcvbuf) to.conn->SetRecvBufferSize(p.server_rcvbuf);
        to.conn->AcceptSyn(st, SeqNum(0x7ffffff0u), f.header, link.now);
      } else {
        to.conn->OnSegment(in, link.now);
      }
      to.Note(link.now);
    }
    client.App(link.now, buf);
    if (server.conn) server.App(link.now, buf);
    client.Poll(link.now, to_server);
    if (server.conn) server.Poll(link.now, to_client);

    if (client.done() && server.done()) break;
    Instant next =
        std::min({link.NextArrival(), client.conn->NextDeadline(),
                  server.conn ? server.conn->NextDeadline() : Instant::Max()});
    if (server.conn && server.read_every > Duration::Zero() &&
        server.conn->readable()) {
      next = std::min(next, std::max(server.next_read, link.now));
    }
    ASSERT_NE(next, Instant::Max()) << "stuck at step " << step;
    if (next > link.now) link.now = next;
  }
  ASSERT_TRUE(server.conn);
  EXPECT_TRUE(client.done());
  EXPECT_TRUE(server.done());
  EXPECT_EQ(server.conn->error(), ConnectionError::kNone);
  EXPECT_EQ(client.conn->error(), ConnectionError::kNone);
  ASSERT_EQ(server.got.size(), total);
  EXPECT_TRUE(server.got == client.src);
  ASSERT_EQ(client.got.size(), reply);
  EXPECT_TRUE(client.got == server.src);
  EXPECT_FALSE(server.conn->buffers_allocated());
  EXPECT_FALSE(client.conn->buffers_allocated());
  const TcpConnStats& cs = client.conn->stats();
  if (p.loss > 0) {
    EXPECT_GT(link.lost_, 0u);
    EXPECT_GT(cs.retransmits + server.conn->stats().retransmits, 0u);
  }
  std::printf(
      "pair: %zu+%zu bytes, %llu segments (%llu lost), %.3f s simulated,"
      " client rexmit %u fast %u sack %u rto %u, server ooo %u\n",
      total, reply, static_cast<unsigned long long>(link.sent_),
      static_cast<unsigned long long>(link.lost_),
      (link.now - Instant::FromNanos(1'000'000'000)).seconds(), cs.retransmits,
      cs.fast_retransmits, cs.sack_retransmits, cs.timeouts,
      server.conn->stats().out_of_order);
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

TEST(TcpPair, BothDirectionsWithLoss_ByteExact) {
  RunTransfer({.loss = 0.01, .reorder = 0.05, .seed = 3}, k4MiB, k4MiB / 2);
}

TEST(TcpPair, SlowReaderSmallWindow_ZeroWindowEpisodesByteExact) {
  RunTransfer({.loss = 0.01,
               .seed = 5,
               .read_every = Duration::Millis(20),
               .read_chunk = 8 * 1024,
               .server_rcvbuf = 16 * 1024},
              512 * 1024);
}

TEST(TcpPair, HeavyLossManySeeds_ByteExact) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE(seed);
    RunTransfer({.loss = 0.05, .reorder = 0.1, .seed = seed}, 256 * 1024,
                seed * 1000);
  }
}

}  // namespace
}  // namespace skiff
