// Two whole stacks (StackCore over a SimWire, the TwoStacks fixture) moving
// a transfer through the real TcpLayer: seeded loss, reordering and delay on
// the wire; the application sends, half-closes, reads to EOF and closes. A
// 4 MiB transfer must arrive byte-exact and both sides must close cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "stack/tcp/isn.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

struct LinkParams {
  double loss = 0;      // per frame, each direction
  double reorder = 0;   // per frame, held back by 3 ms
  uint64_t seed = 1;    // client->server; server->client uses seed + 1
  bool options = true;  // WS/TS/SACK on both sides
  Duration delay = Duration::Millis(5);
  // A slow server application: reads at most read_chunk bytes every
  // read_every (zero: reads everything at once), into a small buffer.
  Duration read_every = Duration::Zero();
  size_t read_chunk = 0;
  uint32_t server_rcvbuf = 0;  // 0: the default
};

std::byte Pattern(size_t i, uint32_t salt) {
  return static_cast<std::byte>(((i + salt) * 2654435761u) >> 13);
}

// One end's application: what it sends, what it got, and how its socket
// ended. It is pumped once per loop turn through the StackCore API.
struct End {
  StackCore* stack = nullptr;
  SocketId sock;
  std::vector<std::byte> src, got;
  size_t offered = 0;
  bool shut = false, eof = false, done = false;
  Duration read_every = Duration::Zero();
  size_t read_chunk = SIZE_MAX;
  Instant next_read;
  // Seen on the connection just before Close() (Find() is null after it).
  TcpState final_state = TcpState::kClosed;
  ConnectionError error = ConnectionError::kNone;
  bool buffers_allocated = true;
  TcpConnStats stats;
  int zero_window_turns = 0;  // turns its peer's window was zero

  void App(Instant now, std::vector<std::byte>& buf) {
    if (done || !sock.valid()) return;
    Connection* c = stack->Find(sock);
    ASSERT_NE(c, nullptr);
    if (c->connected() && c->snd_wnd() == 0) ++zero_window_turns;
    while (offered < src.size() && c->writable()) {
      SendResult r = stack->Send(sock, ConstByteSpan(src).subspan(offered));
      if (!r.ok() || r.value() == 0) break;
      offered += r.value();
    }
    if (offered == src.size() && !shut && c->connected()) {
      stack->Shutdown(sock);
      shut = true;
    }
    size_t budget = SIZE_MAX;
    if (read_every > Duration::Zero()) {
      budget = now >= next_read ? read_chunk : 0;
      if (budget > 0) next_read = now + read_every;
    }
    while (budget > 0 && !eof) {
      RecvResult r =
          stack->Recv(sock, ByteSpan(buf).first(std::min(buf.size(), budget)));
      if (r.ok() && r.value() > 0) {
        got.insert(got.end(), buf.begin(), buf.begin() + r.value());
        budget -= r.value();
        continue;
      }
      if (!r.ok() && r.error() == RecvError::kEof) eof = true;
      break;
    }
    // Closed (or in TIME-WAIT) and the application read up to EOF: note
    // how the connection ended, then let the socket go.
    if (eof && shut &&
        (c->state() == TcpState::kClosed ||
         c->state() == TcpState::kTimeWait)) {
      final_state = c->state();
      error = c->error();
      buffers_allocated = c->buffers_allocated();
      stats = c->stats();
      stack->Close(sock);
      done = true;
    }
  }
};

class TcpPair : public TwoStacks {
 protected:
  void RunTransfer(const LinkParams& p, size_t total, size_t reply = 0) {
    const SimLinkConfig to_server{.seed = p.seed,
                                  .loss = p.loss,
                                  .reorder = p.reorder,
                                  .delay = p.delay,
                                  .reorder_delay = Duration::Millis(3)};
    SimLinkConfig to_client = to_server;
    to_client.seed = p.seed + 1;
    TcpLayerConfig tcp;
    tcp.connection.window_scaling = p.options;
    tcp.connection.timestamps = p.options;
    tcp.connection.sack = p.options;
    if (!p.options) tcp.connection.recv_buffer_size = 64 * 1024;
    // Connection::SetRecvBufferSize works only before the window is
    // announced, which for an accepted socket is before Accept(): the
    // server's default is what makes its socket's buffer small.
    TcpLayerConfig server_tcp = tcp;
    if (p.server_rcvbuf) {
      server_tcp.connection.recv_buffer_size = p.server_rcvbuf;
    }
    // The client's ISN 4 KiB below the 2^32 wrap, so every transfer
    // crosses it early. RFC 6528: ISN = M + F(tuple, secret), M the 4 µs
    // clock; with a fixed secret the tuple (and so F) is known from a
    // first connect, and the start time picks M.
    tcp.secret = server_tcp.secret = SipKey{7, 7, 7};
    Build(to_server, to_client, tcp, &server_tcp);
    const ConnectResult probe = client_->Connect(kServerIp, 80);
    ASSERT_TRUE(probe.ok());
    const FourTuple tuple = client_->Find(probe.value())->tuple();
    const uint32_t f = IsnGenerator(tcp.secret).Next(tuple, Instant()).value();
    constexpr uint32_t kIsn = 0xfffff000u;
    clock_.Set(Instant::FromNanos(int64_t{4000} * (kIsn - f)));
    Build(to_server, to_client, tcp, &server_tcp);
    const Instant t0 = clock_.Now();

    End client, server;
    client.stack = client_.get();
    server.stack = server_.get();
    client.src.resize(total);
    for (size_t i = 0; i < total; ++i) client.src[i] = Pattern(i, 0);
    server.read_every = p.read_every;
    server.read_chunk = p.read_chunk;
    server.src.resize(reply);
    for (size_t i = 0; i < reply; ++i) server.src[i] = Pattern(i, 77);
    const ListenResult l = server_->Listen(80);
    ASSERT_TRUE(l.ok());
    const ConnectResult cr = client_->Connect(kServerIp, 80);
    ASSERT_TRUE(cr.ok());
    client.sock = cr.value();
    ASSERT_EQ(client_->Find(client.sock)->tuple(), tuple);
    ASSERT_EQ(client_->Find(client.sock)->iss(), SeqNum(kIsn));
    std::vector<std::byte> buf(64 * 1024);

    const Instant end = t0 + Duration::Seconds(300);
    for (int turns = 0; !(client.done && server.done); ++turns) {
      ASSERT_LT(turns, kMaxTurns) << "a stack never goes idle";
      ASSERT_LT(clock_.Now(), end) << "transfer not done; server got "
                                   << server.got.size() << " of " << total;
      if (!server.sock.valid()) server.sock = server_->Accept(l.value());
      client.App(clock_.Now(), buf);
      server.App(clock_.Now(), buf);
      if (HasFatalFailure()) return;
      // The slow reader wakes at its next read even if the stacks would
      // sleep longer (a zero window waits on it).
      Instant limit = end;
      if (server.sock.valid() && server.read_every > Duration::Zero() &&
          !server.eof) {
        limit = std::min(limit, std::max(server.next_read, clock_.Now()));
      }
      Turn(limit);
    }
    for (const End* e : {&client, &server}) {
      SCOPED_TRACE(e == &client ? "client" : "server");
      EXPECT_TRUE(e->final_state == TcpState::kClosed ||
                  e->final_state == TcpState::kTimeWait);
      EXPECT_EQ(e->error, ConnectionError::kNone);
      EXPECT_FALSE(e->buffers_allocated);
      EXPECT_EQ(e->stack->tcp().buffer_pool().in_use(), 0u);
    }
    ASSERT_EQ(server.got.size(), total);
    EXPECT_TRUE(server.got == client.src);
    ASSERT_EQ(client.got.size(), reply);
    EXPECT_TRUE(client.got == server.src);
    // RFC 9293 §3.8.6: the slow reader's buffer fills and the sender
    // waits on a zero window until the reader makes room.
    if (p.read_every > Duration::Zero()) {
      EXPECT_GT(client.zero_window_turns, 0);
    }
    const SimLinkCounters ab = wire_->counters_a_to_b();
    const SimLinkCounters ba = wire_->counters_b_to_a();
    const TcpConnStats& cs = client.stats;
    if (p.loss > 0) {
      EXPECT_GT(ab.lost + ba.lost, 0u);
      EXPECT_GT(cs.retransmits + server.stats.retransmits, 0u);
    }
    std::printf(
        "pair: %zu+%zu bytes, %llu frames (%llu lost), %.3f s simulated,"
        " client rexmit %u fast %u sack %u rto %u zero-window turns %d,"
        " server ooo %u\n",
        total, reply, static_cast<unsigned long long>(ab.sent + ba.sent),
        static_cast<unsigned long long>(ab.lost + ba.lost),
        (clock_.Now() - t0).seconds(), cs.retransmits, cs.fast_retransmits,
        cs.sack_retransmits, cs.timeouts, client.zero_window_turns,
        server.stats.out_of_order);
  }
};

constexpr size_t k4MiB = 4 * 1024 * 1024;

TEST_F(TcpPair, CleanLink_4MiBByteExact) { RunTransfer({}, k4MiB); }

TEST_F(TcpPair, LossAndReorder_4MiBByteExact) {
  RunTransfer({.loss = 0.01, .reorder = 0.05, .seed = 7}, k4MiB);
}

TEST_F(TcpPair, LossWithoutOptions_4MiBByteExact) {
  RunTransfer({.loss = 0.02, .reorder = 0.02, .seed = 11, .options = false},
              k4MiB);
}

TEST_F(TcpPair, BothDirectionsWithLoss_ByteExact) {
  RunTransfer({.loss = 0.01, .reorder = 0.05, .seed = 3}, k4MiB, k4MiB / 2);
}

TEST_F(TcpPair, SlowReaderSmallWindow_ZeroWindowEpisodesByteExact) {
  RunTransfer({.loss = 0.01,
               .seed = 5,
               .read_every = Duration::Millis(20),
               .read_chunk = 8 * 1024,
               .server_rcvbuf = 16 * 1024},
              512 * 1024);
}

TEST_F(TcpPair, HeavyLossManySeeds_ByteExact) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE(seed);
    RunTransfer({.loss = 0.05, .reorder = 0.1, .seed = seed}, 256 * 1024,
                seed * 1000);
  }
}

}  // namespace
}  // namespace skiff::testing
