// The corners of TCP between two skiff stacks: simultaneous open and close,
// a SYN flood against a busy listener, RSTs to closed ports, TIME-WAIT
// reuse, and how much memory a connection holds over its life.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/tcp_frames.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

using ::testing::ElementsAre;

using Edge = RawClientTwoStacks;

// RFC 9293 §3.10.7.1: a segment to no socket gets a RST, a RST gets nothing.
TEST_F(Edge, ClosedPort_RstForSynAndAck_NothingForRst) {
  WarmArp();
  const uint64_t rst0 = server_->counters().tcp.resets_out;
  const uint16_t kClosed = 9999;
  InjectToServer(kClientIp, {.src_port = 40000,
                             .dst_port = kClosed,
                             .seq = SeqNum(1000),
                             .flags = TcpFlag::kSyn,
                             .window = 1000});
  server_->Poll(clock_.Now());
  EXPECT_THAT(CaptureSegmentsAtClient(),
              ElementsAre(IsSegment({.ports = Ports{kClosed, 40000},
                                     .seq = SeqNum(0),
                                     .ack = SeqNum(1001),
                                     .flags = TcpFlag::kRst | TcpFlag::kAck,
                                     .window = 0,
                                     .payload = "",
                                     .options = kNoOptions})));

  InjectToServer(kClientIp, {.src_port = 40000,
                             .dst_port = kClosed,
                             .seq = SeqNum(5000),
                             .ack = SeqNum(777),
                             .flags = TcpFlag::kAck,
                             .window = 1000});
  server_->Poll(clock_.Now());
  EXPECT_THAT(CaptureSegmentsAtClient(),
              ElementsAre(IsSegment({.ports = Ports{kClosed, 40000},
                                     .seq = SeqNum(777),
                                     .ack = SeqNum(0),
                                     .flags = TcpFlag::kRst,
                                     .window = 0,
                                     .payload = "",
                                     .options = kNoOptions})));

  for (uint8_t flags :
       {TcpFlag::kRst, uint8_t(TcpFlag::kRst | TcpFlag::kAck)}) {
    InjectToServer(kClientIp, {.src_port = 40000,
                               .dst_port = kClosed,
                               .seq = SeqNum(5000),
                               .ack = SeqNum(777),
                               .flags = flags});
    server_->Poll(clock_.Now());
    EXPECT_TRUE(CaptureAtClient().empty()) << "RST answered a RST";
  }
  // A RST to a listener is ignored too (RFC 9293 §3.10.7.2).
  ASSERT_TRUE(server_->Listen(80).ok());
  InjectToServer(kClientIp, {.src_port = 40000,
                             .dst_port = 80,
                             .seq = SeqNum(5000),
                             .flags = TcpFlag::kRst});
  server_->Poll(clock_.Now());
  EXPECT_TRUE(CaptureAtClient().empty());
  EXPECT_EQ(server_->counters().tcp.resets_out, rst0 + 2);
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
}

// RFC 9293 §3.5 Figure 7: both SYNs cross; each side goes SYN-SENT →
// SYN-RECEIVED → ESTABLISHED, and data flows both ways. Each side, in
// SYN-RECEIVED, takes the other's SYN-ACK (SEG.SEQ = IRS, below RCV.NXT) as
// the ACK that completes its handshake.
TEST_F(Edge, SimultaneousOpen_BothEstablishedAndExchange) {
  TcpLayerConfig a, b;
  a.ephemeral_first = a.ephemeral_last = 40000;
  b.ephemeral_first = b.ephemeral_last = 40001;
  Build({}, {}, a, &b);
  TcpApp ca(*client_), sa(*server_);
  const Flow script{.send_total = 100000, .seed = 3, .shutdown_instead = true};
  const SocketId cs = ca.Connect(kServerIp, 40001, script);
  Flow s2 = script;
  s2.seed = 4;
  const SocketId ss = sa.Connect(kClientIp, 40000, s2);
  ASSERT_TRUE(cs.valid());
  ASSERT_TRUE(ss.valid());
  ASSERT_EQ(client_->Find(cs)->tuple().local_port, 40000);
  ASSERT_EQ(server_->Find(ss)->tuple().local_port, 40001);
  ASSERT_TRUE(RunUntil(
      [&] { return ca.flows[cs].connected && sa.flows[ss].connected; }));
  // Synchronized (the script may already have queued its FIN).
  EXPECT_TRUE(client_->Find(cs)->connected());
  EXPECT_TRUE(server_->Find(ss)->connected());
  ASSERT_TRUE(RunUntil([&] {
    return ca.flows[cs].app_closed && sa.flows[ss].app_closed;
  })) << ca.flows[cs].received
      << " " << sa.flows[ss].received;
  EXPECT_EQ(ca.flows[cs].received, 100000u);
  EXPECT_EQ(ca.flows[cs].rx_hash.h, sa.flows[ss].sent_hash.h);
  EXPECT_EQ(sa.flows[ss].received, 100000u);
  EXPECT_EQ(sa.flows[ss].rx_hash.h, ca.flows[cs].sent_hash.h);
  EXPECT_FALSE(ca.flows[cs].reset || sa.flows[ss].reset);
  RunFor(Duration::Seconds(61));
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
}

// RFC 9293 §3.6 Figure 13: both FINs cross; CLOSING on both sides, then
// TIME-WAIT on both, then gone; no RST anywhere.
TEST_F(Edge, SimultaneousClose_BothTimeWaitThenFreed) {
  TcpLayerConfig cfg;
  cfg.connection.time_wait = Duration::Seconds(2);
  Build({}, {}, cfg);
  ASSERT_TRUE(server_->Listen(80).ok());
  ConnectResult c = client_->Connect(kServerIp, 80);
  ASSERT_TRUE(c.ok());
  SocketId ss;
  ASSERT_TRUE(RunUntil([&] {
    if (!ss.valid() && !server_events_.acceptable.empty())
      ss = server_->Accept(server_events_.acceptable.back());
    return ss.valid() &&
           client_->Find(c.value())->state() == TcpState::kEstablished;
  }));
  // Both close in the same turn, before either FIN has left.
  client_->Close(c.value());
  server_->Close(ss);
  Turn();
  Turn();
  RunFor(Duration::Millis(5));
  EXPECT_EQ(client_->tcp().connection_count(), 1u);  // TIME-WAIT
  EXPECT_EQ(server_->tcp().connection_count(), 1u);  // TIME-WAIT
  RunFor(Duration::Millis(1900));
  EXPECT_EQ(client_->tcp().connection_count(), 1u);
  EXPECT_EQ(server_->tcp().connection_count(), 1u);
  RunFor(Duration::Millis(200));
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
  EXPECT_EQ(client_->counters().tcp.resets_out, 0u);
  EXPECT_EQ(server_->counters().tcp.resets_out, 0u);
  EXPECT_EQ(client_->counters().tcp.resets_in, 0u);
  EXPECT_EQ(server_->counters().tcp.resets_in, 0u);
  EXPECT_EQ(client_->counters().tcp.retransmits, 0u);
}

// Thousands of spoofed SYNs: the SYN queue stays at the backlog, the
// established connections keep moving data and finish byte-exact. (SYN
// cookies off: the queue bound itself; syn_flood_test.cc has them on.)
TEST_F(Edge, SynFlood_QueueBounded_EstablishedKeepTransferring) {
  constexpr uint32_t kBacklog = 64;
  constexpr int kFlows = 4;
  constexpr uint64_t kBytes = 4 << 20;
  TcpLayerConfig cfg;
  cfg.syn_cookies = false;
  Build({}, {}, cfg);
  ASSERT_TRUE(server_->Listen(80, kBacklog).ok());
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {.close_when_sent = false, .close_on_eof = true};
  uint64_t done_bytes = 0;
  int done_ok = 0;
  sa.on_done = [&](SocketId, Flow& f) {
    done_bytes += f.received;
    ++done_ok;
  };
  std::vector<SocketId> cs;
  for (int i = 0; i < kFlows; ++i) {
    cs.push_back(ca.Connect(
        kServerIp, 80,
        {.send_total = kBytes, .seed = static_cast<uint64_t>(100 + i)}));
  }
  ASSERT_TRUE(RunUntil([&] { return sa.accepted == kFlows; }));
  std::mt19937 rng(12345);
  auto received_now = [&] {
    uint64_t n = 0;
    for (auto& [id, f] : sa.flows) n += f.received;
    return n;
  };
  size_t max_conns = 0;
  int injected = 0;
  // 100 ms of flood: 40 SYNs per 50 µs turn, 8000 in all, from 150
  // spoofed on-link addresses that never answer ARP.
  for (int turn = 0; turn < 200; ++turn) {
    const uint64_t before = received_now();
    for (int k = 0; k < 40; ++k, ++injected) {
      InjectToServer(Ipv4Address(10, 0, 0, 100 + rng() % 150),
                     {.src_port = static_cast<uint16_t>(1024 + rng() % 60000),
                      .dst_port = 80,
                      .seq = SeqNum(static_cast<uint32_t>(rng())),
                      .flags = TcpFlag::kSyn,
                      .window = 65535});
    }
    RunFor(Duration::Micros(500));
    max_conns = std::max(max_conns, server_->tcp().connection_count());
    if (turn % 20 == 19 && done_ok < kFlows) {
      EXPECT_GT(received_now(), before) << "stalled at flood turn " << turn;
    }
  }
  EXPECT_EQ(injected, 8000);
  EXPECT_LE(max_conns, kFlows + kBacklog);
  EXPECT_GT(server_->counters().drops[DropReason::kTcpSynQueueFull], 0u);
  ASSERT_TRUE(
      RunUntil([&] { return done_ok == kFlows; }, Duration::Seconds(60)));
  EXPECT_EQ(done_bytes, kFlows * kBytes);
  for (SocketId id : cs) {
    (void)id;
  }
  for (auto& [id, f] : sa.flows) {
    bool matched = false;
    for (auto& [cid, cf] : ca.flows) matched |= cf.sent_hash.h == f.rx_hash.h;
    EXPECT_TRUE(matched) << "a flow arrived corrupted";
  }
  // The half-open spoofed connections give up (SYN-ACK retries) and free.
  ASSERT_TRUE(RunUntil(
      [&] {
        return server_->tcp().connection_count() == 0 &&
               client_->tcp().connection_count() == 0;
      },
      Duration::Seconds(400)))
      << server_->tcp().connection_count();
}

// RFC 9293 §3.10.7.4 / RFC 6191: the server closed first and holds the
// tuple in TIME-WAIT; the client reconnects from the same port, with a
// higher ISN and newer timestamps, and gets a fresh connection.
TEST_F(Edge, TimeWait_NewSynHigherSeq_Reused) {
  TcpLayerConfig cfg;
  cfg.ephemeral_first = cfg.ephemeral_last = 40000;
  Build({}, {}, cfg);
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_), sa(*server_);
  // The server sends a little and closes first; the client reads to EOF and
  // closes second.
  sa.accept_script = {.send_total = 1000, .seed = 9, .close_on_eof = true};
  const SocketId c1 = ca.Connect(kServerIp, 80, {.close_when_sent = false});
  ASSERT_TRUE(c1.valid());
  ASSERT_TRUE(RunUntil([&] { return ca.flows[c1].app_closed; }));
  ASSERT_TRUE(RunUntil([&] { return client_->tcp().connection_count() == 0; }));
  EXPECT_EQ(ca.flows[c1].received, 1000u);
  EXPECT_EQ(server_->tcp().connection_count(), 1u);  // TIME-WAIT
  RunFor(Duration::Seconds(1));
  const SocketId c2 = ca.Connect(kServerIp, 80, {.close_when_sent = false});
  ASSERT_TRUE(c2.valid());
  EXPECT_EQ(client_->Find(c2)->tuple().local_port, 40000);
  ASSERT_TRUE(RunUntil([&] { return ca.flows[c2].app_closed; }))
      << "state " << static_cast<int>(client_->Find(c2)->state());
  EXPECT_EQ(ca.flows[c2].received, 1000u);
  EXPECT_FALSE(ca.flows[c2].reset);
  EXPECT_EQ(server_->counters().tcp.time_wait_reused, 1u);
  EXPECT_EQ(server_->counters().tcp.passive_opens, 2u);
  RunFor(Duration::Seconds(61));
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
}

// The same, but the new SYN is below what the old incarnation saw (and has
// no timestamp): TIME-WAIT stays, the SYN gets an ACK, not a SYN-ACK.
TEST_F(Edge, TimeWait_OldSyn_NotReused) {
  TcpLayerConfig cfg;
  cfg.ephemeral_first = cfg.ephemeral_last = 40000;
  Build({}, {}, cfg);
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {.send_total = 10, .seed = 9, .close_on_eof = true};
  const SocketId c1 = ca.Connect(kServerIp, 80, {.close_when_sent = false});
  ASSERT_TRUE(c1.valid());
  const SeqNum iss = client_->Find(c1)->iss();
  ASSERT_TRUE(RunUntil([&] { return client_->tcp().connection_count() == 0; }));
  ASSERT_EQ(server_->tcp().connection_count(), 1u);  // TIME-WAIT
  RunFor(Duration::Seconds(1));
  InjectToServer(kClientIp, {.src_port = 40000,
                             .dst_port = 80,
                             .seq = iss - 1000,
                             .flags = TcpFlag::kSyn,
                             .window = 65535});
  server_->Poll(clock_.Now());
  std::vector<TcpRepr> got = CaptureAtClient();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].flags, TcpFlag::kAck);
  EXPECT_EQ(got[0].ack, iss + 2);  // SYN and FIN of the old incarnation
  EXPECT_EQ(server_->counters().tcp.time_wait_reused, 0u);
  EXPECT_EQ(server_->tcp().connection_count(), 1u);
}

// A connection holds no buffer memory until data flows; a closed one gives
// back every mbuf and its slot (TearDown checks the pool).
TEST_F(Edge, Memory_NoBuffersUntilData_AllReturnedAfterClose) {
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {.close_when_sent = false, .close_on_eof = true};
  SocketId ss;
  sa.on_accept = [&](SocketId s) { ss = s; };
  const SocketId cs = ca.Connect(kServerIp, 80, {.close_when_sent = false});
  EXPECT_FALSE(client_->Find(cs)->buffers_allocated());
  ASSERT_TRUE(RunUntil([&] { return ss.valid() && ca.flows[cs].connected; }));
  RunFor(Duration::Millis(300));  // handshake and any delayed ACK done
  EXPECT_FALSE(client_->Find(cs)->buffers_allocated());
  EXPECT_FALSE(server_->Find(ss)->buffers_allocated());
  const std::string data(3000, 'm');
  ASSERT_TRUE(client_->Send(cs, AsBytes(data.data(), data.size())).ok());
  EXPECT_TRUE(client_->Find(cs)->buffers_allocated());
  ASSERT_TRUE(RunUntil([&] { return sa.flows[ss].received == 3000; }));
  // Chunks come from the layer's pool and go back as they drain: once the
  // 3000 bytes are acknowledged and read, neither side holds any.
  EXPECT_GE(client_->tcp().buffer_pool().high_water(), 1u);
  RunFor(Duration::Millis(300));
  EXPECT_FALSE(client_->Find(cs)->buffers_allocated());
  EXPECT_EQ(client_->tcp().buffer_pool().in_use(), 0u);
  EXPECT_EQ(server_->tcp().buffer_pool().in_use(), 0u);
  client_->Close(cs);
  ASSERT_TRUE(RunUntil([&] { return server_->tcp().connection_count() == 0; }));
  EXPECT_EQ(client_->tcp().connection_count(), 1u);  // TIME-WAIT, no buffers
  RunFor(Duration::Seconds(61));
  EXPECT_EQ(client_->tcp().connection_count(), 0u);
  EXPECT_EQ(client_->counters().tcp.connections, 0u);
  EXPECT_EQ(client_->tcp().buffer_pool().in_use(), 0u);
}

// A layer whose buffer pool is smaller than one connection's buffers: the
// transfer still completes byte-exact (windows shrink, Send takes less),
// and the exhaustion is counted; nothing crashes.
// Both pools hold 3 chunks (48 KiB): the sender's ring and the receiver's
// window are capped by what the pool can back, and the transfer completes.
// (It once "stalled" because the server script closed at once and the
// client's data then drew a RST: RFC 2525 §2.17.)
TEST_F(Edge, BufferPoolExhausted_TransferCompletesWithSmallerWindows) {
  TcpLayerConfig tight;
  tight.buffer_pool_bytes = 3 * ChunkPool::kChunkSize;
  Build({}, {}, tight, &tight);
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {.close_when_sent = false, .close_on_eof = true};
  SocketId ss;
  sa.on_accept = [&](SocketId s) { ss = s; };
  constexpr uint64_t kBytes = 1 << 20;
  const SocketId cs =
      ca.Connect(kServerIp, 80, {.send_total = kBytes, .seed = 9});
  ASSERT_TRUE(
      RunUntil([&] { return ss.valid() && sa.flows[ss].received == kBytes; },
               Duration::Seconds(60)))
      << client_->FormatCounters() << server_->FormatCounters();
  EXPECT_EQ(sa.flows[ss].rx_hash.h, ca.flows[cs].sent_hash.h);
  // The sender's ring was capped by the pool, never beyond it.
  EXPECT_EQ(client_->tcp().buffer_pool().high_water(), 3u);
  EXPECT_EQ(server_->counters().drops[DropReason::kTcpRecvBufferFull], 0u);
}

// Two lossy flows into one receiver whose 3-chunk pool backs less than both
// windows (out-of-order data holds chunks): both complete, and no segment is
// dropped for want of a chunk.
TEST_F(Edge, BufferPoolShared_TwoFlowsCompleteWithoutRecvDrops) {
  TcpLayerConfig tight;
  tight.buffer_pool_bytes = 3 * ChunkPool::kChunkSize;
  Build({.seed = 3, .loss = 0.03, .delay = Duration::Millis(2)},
        {.seed = 4, .loss = 0.03, .delay = Duration::Millis(2)}, {}, &tight);
  ASSERT_TRUE(server_->Listen(80).ok());
  TcpApp ca(*client_), sa(*server_);
  sa.accept_script = {.close_when_sent = false, .close_on_eof = true};
  constexpr uint64_t kBytes = 1 << 20;
  ca.Connect(kServerIp, 80, {.send_total = kBytes, .seed = 1});
  ca.Connect(kServerIp, 80, {.send_total = kBytes, .seed = 2});
  ASSERT_TRUE(RunUntil(
      [&] {
        uint64_t got = 0;
        for (auto& [id, f] : sa.flows) got += f.received;
        return got == 2 * kBytes;
      },
      Duration::Seconds(120)))
      << server_->FormatCounters() << client_->FormatCounters();
  EXPECT_LE(server_->tcp().buffer_pool().high_water(), 3u);
  EXPECT_EQ(server_->counters().drops[DropReason::kTcpRecvBufferFull], 0u);
}

// Found by stack_fuzz: a new SYN reused a TIME-WAIT tuple whose socket the
// application had not closed yet, and its SocketId went stale under it.
// The application holds the id until Close(), so that TIME-WAIT stays.
TEST_F(Edge, TimeWait_HeldByApplication_NotReused) {
  TcpLayerConfig cfg;
  cfg.ephemeral_first = cfg.ephemeral_last = 40000;
  Build({}, {}, cfg);
  const ListenResult l = server_->Listen(80);
  ASSERT_TRUE(l.ok());
  const ConnectResult c1 = client_->Connect(kServerIp, 80);
  ASSERT_TRUE(c1.ok());
  ASSERT_TRUE(RunUntil([&] { return !server_events_.acceptable.empty(); }));
  const SocketId ss = server_->Accept(l.value());
  ASSERT_TRUE(ss.valid());
  // The server half-closes first and keeps its socket; the client answers
  // with its own FIN, so the server's side ends in TIME-WAIT.
  server_->Shutdown(ss);
  ASSERT_TRUE(RunUntil([&] {
    return (client_events_.EventsFor(c1.value()) & TcpEvent::kReadable) != 0;
  }));
  client_->Close(c1.value());
  ASSERT_TRUE(RunUntil([&] {
    return server_->Find(ss) != nullptr &&
           server_->Find(ss)->state() == TcpState::kTimeWait;
  }));
  ASSERT_TRUE(RunUntil([&] { return client_->tcp().connection_count() == 0; }));
  RunFor(Duration::Seconds(1));
  // The client comes back from the same port with a higher ISN.
  // The server answers the SYN with an ACK, the client's RST to that may
  // end the TIME-WAIT: either way the application's id stays valid.
  server_events_.acceptable.clear();
  ASSERT_TRUE(client_->Connect(kServerIp, 80).ok());
  RunFor(Duration::Millis(500));
  EXPECT_EQ(server_->counters().tcp.time_wait_reused, 0u);
  ASSERT_NE(server_->Find(ss), nullptr) << "the application's id went stale";
  EXPECT_TRUE(server_->Find(ss)->state() == TcpState::kTimeWait ||
              server_->Find(ss)->state() == TcpState::kClosed);
  // Once the application lets go, the client's retried SYN gets through.
  server_->Close(ss);
  EXPECT_EQ(server_->Find(ss), nullptr);
  ASSERT_TRUE(RunUntil([&] { return !server_events_.acceptable.empty(); }));
}

}  // namespace
}  // namespace skiff::testing
