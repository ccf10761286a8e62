// How connections end and stall between two skiff stacks: data both ways
// under loss, a zero window that opens again, aborts, resets for unread
// data, a listener closed with connections queued, and a SYN into the void.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

using Lifecycle = TwoStacks;

SocketId AcceptOne(StackCore& stack, Recorder& rec) {
  if (rec.acceptable.empty()) return SocketId{};
  return stack.Accept(rec.acceptable.back());
}

// 16 MiB each way at once over a lossy, reordering, duplicating link. Once
// froze: with both sides in RTO recovery, pure ACKs stamped with SND.NXT
// (pulled back to SND.UNA) fell below the peer's RCV.NXT and were dropped
// unread. ACKs now carry SND.MAX (as Linux's tcp_acceptable_seq).
TEST_F(Lifecycle, BothWaysAtOnce_LossyLink_ByteExact) {
  BuildHostile(21, 0.03);
  constexpr uint64_t kBytes = 16 << 20;
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {
      .send_total = kBytes, .seed = 2, .shutdown_instead = true};
  SocketId ss;
  sa.on_accept = [&](SocketId s) { ss = s; };
  ASSERT_TRUE(server_->Listen(80).ok());
  const SocketId cs =
      ca.Connect(kServerIp, 80,
                 {.send_total = kBytes, .seed = 1, .shutdown_instead = true});
  ASSERT_TRUE(RunUntil(
      [&] {
        return ca.flows[cs].app_closed && ss.valid() && sa.flows[ss].app_closed;
      },
      Duration::Seconds(1200)))
      << ca.flows[cs].received << " "
      << (ss.valid() ? sa.flows[ss].received : 0);
  EXPECT_EQ(ca.flows[cs].received, kBytes);
  EXPECT_EQ(sa.flows[ss].received, kBytes);
  EXPECT_EQ(ca.flows[cs].rx_hash.h, sa.flows[ss].sent_hash.h);
  EXPECT_EQ(sa.flows[ss].rx_hash.h, ca.flows[cs].sent_hash.h);
  EXPECT_FALSE(ca.flows[cs].reset || sa.flows[ss].reset);
  ASSERT_TRUE(RunUntil(
      [&] {
        return client_->tcp().connection_count() == 0 &&
               server_->tcp().connection_count() == 0;
      },
      Duration::Seconds(200)));
}

// The receiver stops reading: its window closes, the sender probes
// (RFC 9293 §3.8.6.1) and resumes when the reader drains the buffer.
TEST_F(Lifecycle, ZeroWindow_SenderProbesThenResumes) {
  TcpLayerConfig small;
  small.connection.recv_buffer_size = 16 * 1024;
  TcpLayerConfig normal;
  Build({}, {}, normal, &small);
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_);
  constexpr uint64_t kBytes = 1 << 20;
  const SocketId cs =
      ca.Connect(kServerIp, 80, {.send_total = kBytes, .seed = 77});
  SocketId ss;
  ASSERT_TRUE(RunUntil([&] {
    ss = ss.valid() ? ss : AcceptOne(*server_, server_events_);
    return ss.valid();
  }));
  RunFor(Duration::Seconds(5));  // nobody reads
  // Full but for less than a segment (the sender avoids silly windows).
  EXPECT_GT(server_->Find(ss)->recv_queued(), 16u * 1024 - 1448);
  EXPECT_LT(server_->Find(ss)->rcv_wnd(), 1448u);
  EXPECT_GT(client_->counters().tcp.zero_window_probes, 0u);
  EXPECT_EQ(client_->Find(cs)->state(), TcpState::kEstablished);
  Fnv64 h;
  uint64_t got = 0;
  bool eof = false;
  ASSERT_TRUE(RunUntil(
      [&] {
        std::byte buf[4096];
        for (;;) {
          RecvResult r = server_->Recv(ss, buf);
          if (!r.ok()) {
            eof = r.error() == RecvError::kEof;
            break;
          }
          h.Add(buf, r.value());
          got += r.value();
        }
        return eof;
      },
      Duration::Seconds(120)))
      << got;
  EXPECT_EQ(got, kBytes);
  EXPECT_EQ(h.h, ca.flows[cs].sent_hash.h);
  server_->Close(ss);
  ASSERT_TRUE(RunUntil(
      [&] {
        return client_->tcp().connection_count() == 0 &&
               server_->tcp().connection_count() == 0;
      },
      Duration::Seconds(70)));
}

// Abort mid-transfer: the peer sees a reset, both sides free everything.
TEST_F(Lifecycle, AbortMidTransfer_PeerReset_AllFreed) {
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {.close_when_sent = false};
  SocketId ss;
  sa.on_accept = [&](SocketId s) { ss = s; };
  const SocketId cs =
      ca.Connect(kServerIp, 80, {.send_total = 64 << 20, .seed = 1});
  ASSERT_TRUE(
      RunUntil([&] { return ss.valid() && sa.flows[ss].received > 1000000; }));
  client_->Abort(cs);
  ca.flows[cs].app_closed = true;
  EXPECT_EQ(client_->Find(cs), nullptr);
  ASSERT_TRUE(RunUntil([&] { return sa.flows[ss].app_closed; }));
  EXPECT_TRUE(sa.flows[ss].reset);
  EXPECT_GE(server_->counters().tcp.resets_in, 1u);
  ASSERT_TRUE(RunUntil([&] {
    return client_->tcp().connection_count() == 0 &&
           server_->tcp().connection_count() == 0;
  }));
}

// RFC 2525 §2.17: closing with unread data resets the connection.
TEST_F(Lifecycle, CloseWithUnreadData_PeerGetsReset) {
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_);
  const SocketId cs =
      ca.Connect(kServerIp, 80, {.send_total = 5000, .close_when_sent = false});
  SocketId ss;
  ASSERT_TRUE(RunUntil([&] {
    ss = ss.valid() ? ss : AcceptOne(*server_, server_events_);
    return ss.valid() && server_->Find(ss)->recv_queued() == 5000;
  }));
  server_->Close(ss);
  // The app closes its end when it sees the reset.
  ASSERT_TRUE(RunUntil([&] { return ca.flows[cs].reset; }));
  EXPECT_GE(client_->counters().tcp.resets_in, 1u);
  ASSERT_TRUE(RunUntil([&] {
    return client_->tcp().connection_count() == 0 &&
           server_->tcp().connection_count() == 0;
  }));
}

// A Send() refused because the shared buffer pool is empty, with nothing of
// its own queued, is woken by chunks others free: no ACK of its own data
// will ever come to do it. Found by tests/interop/http_exhaust_test.sh,
// where such sockets waited for the application's 30 s send timeout.
TEST_F(Lifecycle, BufferPoolEmpty_SendRefused_WritableOnceChunksFree) {
  TcpLayerConfig server_tcp;
  server_tcp.buffer_pool_bytes = 2 * ChunkPool::kChunkSize;
  Build({}, {}, {}, &server_tcp);
  ASSERT_TRUE(server_->Listen(80).ok());
  ASSERT_TRUE(client_->Connect(kServerIp, 80).ok());
  ASSERT_TRUE(client_->Connect(kServerIp, 80).ok());
  std::vector<SocketId> accepted;
  ASSERT_TRUE(RunUntil([&] {
    for (ListenerId l : server_events_.acceptable)
      for (SocketId s = server_->Accept(l); s.valid(); s = server_->Accept(l))
        accepted.push_back(s);
    server_events_.acceptable.clear();
    return accepted.size() == 2;
  }));
  const SocketId a = accepted[0], b = accepted[1];
  RunFor(Duration::Millis(1));  // the accepted sockets' first events
  const std::string big(2 * ChunkPool::kChunkSize, 'a');
  SendResult took = server_->Send(a, AsBytes(big.data(), big.size()));
  ASSERT_TRUE(took.ok());
  ASSERT_EQ(took.value(), big.size());  // every chunk of the pool
  const std::string one = "b";
  SendResult refused = server_->Send(b, AsBytes(one.data(), one.size()));
  ASSERT_FALSE(refused.ok());
  ASSERT_EQ(refused.error(), SendError::kWouldBlock);
  server_events_.events.clear();
  // The client takes a's bytes; their ACK gives both chunks back.
  ASSERT_TRUE(RunUntil([&] {
    return (server_events_.EventsFor(b) & TcpEvent::kWritable) != 0;
  }));
  SendResult again = server_->Send(b, AsBytes(one.data(), one.size()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), 1u);
}

// Connections established but never accepted are reset when the listener
// goes away.
TEST_F(Lifecycle, CloseListenerWithQueued_ClientsReset) {
  ListenResult l = server_->Listen(80);
  ASSERT_TRUE(l.ok());
  TcpApp ca(*client_);
  std::vector<SocketId> cs;
  for (int i = 0; i < 3; ++i)
    cs.push_back(ca.Connect(kServerIp, 80, {.close_when_sent = false}));
  ASSERT_TRUE(RunUntil([&] {
    for (SocketId s : cs)
      if (!ca.flows[s].connected) return false;
    return true;
  }));
  server_->CloseListener(l.value());
  ASSERT_TRUE(RunUntil([&] {
    for (SocketId s : cs)
      if (!ca.flows[s].app_closed) return false;
    return true;
  }));
  for (SocketId s : cs) EXPECT_TRUE(ca.flows[s].reset);
  ASSERT_TRUE(RunUntil([&] {
    return client_->tcp().connection_count() == 0 &&
           server_->tcp().connection_count() == 0;
  }));
}

// A SYN to an address nobody answers: the SYN retries run out and the
// connection ends with an error, freeing its slot.
TEST_F(Lifecycle, ConnectIntoTheVoid_GivesUp) {
  TcpLayerConfig cfg;
  cfg.connection.max_syn_retries = 2;
  Build({}, {}, cfg);
  const ConnectResult c = client_->Connect(Ipv4Address(10, 0, 0, 77), 80);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(RunUntil(
      [&] {
        return (client_events_.EventsFor(c.value()) & TcpEvent::kError) != 0;
      },
      Duration::Seconds(60)));
  const ConnectionError e = client_->Find(c.value())->error();
  EXPECT_TRUE(e == ConnectionError::kTimedOut ||
              e == ConnectionError::kUnreachable)
      << ConnectionErrorName(e);
  client_->Close(c.value());
  Turn();
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
}

// Timers fire in loop step 3, so what a timer does reaches the application
// in step 4 of the same turn: the turn whose timer closes the connection
// has already delivered the error (it used to come one turn late, after
// the timer fired inside the transmit pass).
TEST_F(Lifecycle, TimerClose_ReachesTheApplicationInTheSameTurn) {
  TcpLayerConfig cfg;
  cfg.connection.max_syn_retries = 1;
  Build({}, {}, cfg);
  const ConnectResult c = client_->Connect(Ipv4Address(10, 0, 0, 77), 80);
  ASSERT_TRUE(c.ok());
  for (int turn = 0; turn < 10'000; ++turn) {
    const Instant next = client_->NextDeadline();
    ASSERT_NE(next, Instant::Max());
    if (next > clock_.Now()) clock_.Set(next);
    client_->Poll(clock_.Now());
    const Connection* conn = client_->Find(c.value());
    ASSERT_NE(conn, nullptr);
    if (conn->closed()) {
      EXPECT_NE(client_events_.EventsFor(c.value()) & TcpEvent::kError, 0)
          << "closed at turn " << turn << " but the error is not delivered";
      return;
    }
  }
  FAIL() << "the connection never gave up";
}

}  // namespace
}  // namespace skiff::testing
