// SYN floods between two skiff stacks (issue 8, RFC 4987): SYN cookies once
// the SYN queue is full, the ACK that completes a cookie handshake (valid,
// forged, accept queue full), a real client served while spoofed SYNs pour
// in, and the half-open state gone within the SYN-ACK retry schedule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "stack/tcp/syn_cookie.h"
#include "tests/unit/stack/tcp_app.h"
#include "tests/unit/stack/tcp_frames.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

using ::testing::ElementsAre;

constexpr SipKey kSecret = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
// On-link, never answers ARP: what a spoofing flood looks like.
constexpr Ipv4Address kSpoofed(10, 0, 0, 99);
constexpr uint16_t kPort = 80;

ConstByteSpan Bytes(const std::string& s) {
  return AsBytes(s.data(), s.size());
}

class SynFlood : public RawClientTwoStacks {
 protected:
  // The server with a known secret (to decode its cookies here).
  void BuildServer(TcpLayerConfig server) {
    server.secret = kSecret;
    Build({}, {}, {}, &server);
  }
  void SetUp() override { BuildServer({}); }

  // A segment from `src`, and the server's turn to take it.
  void Deliver(Ipv4Address src, const TcpRepr& t,
               const std::string& payload = "") {
    InjectToServer(src, t, Bytes(payload));
    server_->Poll(clock_.Now());
  }
  static TcpRepr Syn(uint16_t port, uint32_t seq, bool options = true) {
    TcpRepr t{.src_port = port,
              .dst_port = kPort,
              .seq = SeqNum(seq),
              .flags = TcpFlag::kSyn,
              .window = 65535};
    t.options.mss = 1460;
    if (options) {
      t.options.window_scale = 7;
      t.options.sack_permitted = true;
      t.options.timestamp = TcpTimestamp{1000, 0};
    }
    return t;
  }
  // The ACK a client sends for `synack`.
  static TcpRepr AckFor(const TcpRepr& synack) {
    TcpRepr t{.src_port = synack.dst_port,
              .dst_port = synack.src_port,
              .seq = synack.ack,
              .ack = synack.seq + 1,
              .flags = TcpFlag::kAck,
              .window = 1000};
    if (synack.options.timestamp) {
      t.options.timestamp = TcpTimestamp{1001, synack.options.timestamp->tsval};
    }
    return t;
  }
  FourTuple ServerTuple(uint16_t client_port) const {
    return {kServerIp, kPort, kClientIp, client_port};
  }
  // Listens with `backlog` and fills the SYN queue with half-open
  // connections from kSpoofed.
  ListenerId ListenWithFullSynQueue(uint32_t backlog) {
    ListenResult l = server_->Listen(kPort, backlog);
    EXPECT_TRUE(l.ok());
    for (uint32_t i = 0; i < backlog; ++i) {
      Deliver(kSpoofed, Syn(static_cast<uint16_t>(1000 + i), 77));
    }
    EXPECT_EQ(server_->tcp().connection_count(), backlog);
    EXPECT_EQ(server_->counters().tcp.syncookies_sent, 0u);
    return l.value();
  }
  // Sends a SYN from the client's address and returns the SYN-ACK.
  TcpRepr SynGetSynAck(uint16_t port, uint32_t seq, bool options = true) {
    Deliver(kClientIp, Syn(port, seq, options));
    std::vector<TcpRepr> got = CaptureAtClient();
    EXPECT_EQ(got.size(), 1u);
    return got.empty() ? TcpRepr{} : got[0];
  }
  TcpCounters Tcp() const { return server_->counters().tcp; }
};

// Backlog 1, its SYN queue taken by a spoofed half-open connection: the
// next SYN gets a cookie SYN-ACK (no state) whose ISN decodes; the ACK
// carrying the request makes an ESTABLISHED connection in the accept queue,
// and data flows both ways.
TEST_F(SynFlood, SynQueueFull_CookieSynAck_AckAcceptedAndTransfers) {
  WarmArp();
  const ListenerId l = ListenWithFullSynQueue(1);
  const TcpRepr synack = SynGetSynAck(40000, 5000);
  EXPECT_EQ(synack.flags, TcpFlag::kSyn | TcpFlag::kAck);
  EXPECT_EQ(synack.ack, SeqNum(5001));
  EXPECT_EQ(Tcp().syncookies_sent, 1u);
  EXPECT_EQ(server_->tcp().connection_count(), 1u);  // nothing kept for it
  EXPECT_EQ(server_->counters().drops[DropReason::kTcpSynQueueFull], 0u);
  const TcpRepr ack = AckFor(synack);
  std::optional<SynCookies::Decoded> d =
      SynCookies(kSecret).Check(ServerTuple(40000), ack, clock_.Now());
  ASSERT_TRUE(d) << "the SYN-ACK's ISN is no cookie";
  EXPECT_EQ(d->iss, synack.seq);
  EXPECT_EQ(d->syn.options.mss, 1460);
  EXPECT_EQ(d->syn.options.window_scale, 7);

  const std::string request = "GET / HTTP/1.1\r\n\r\n";
  Deliver(kClientIp, ack, request);
  EXPECT_EQ(Tcp().syncookies_validated, 1u);
  EXPECT_EQ(Tcp().syncookies_failed, 0u);
  ASSERT_FALSE(server_events_.acceptable.empty());
  const SocketId s = server_->Accept(l);
  ASSERT_TRUE(s.valid());
  const Connection* c = server_->Find(s);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->state(), TcpState::kEstablished);
  EXPECT_EQ(c->iss(), synack.seq);
  EXPECT_TRUE(c->timestamps_enabled());
  EXPECT_TRUE(c->sack_enabled());
  std::array<std::byte, 256> buf;
  RecvResult r = server_->Recv(s, buf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), r.value()),
            request);

  ASSERT_TRUE(server_->Send(s, Bytes("page")).ok());
  server_->Poll(clock_.Now());
  std::vector<TcpRepr> got = CaptureAtClient();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().seq, synack.seq + 1);
  EXPECT_EQ(got.back().ack, SeqNum(5001 + request.size()));
  EXPECT_EQ(Tcp().passive_opens, 2u);
}

// RFC 9293 §3.10.7.2: an ACK to a listener gets <SEQ=SEG.ACK><CTL=RST>;
// one whose cookie fails too, counted, and nothing is created.
TEST_F(SynFlood, ForgedCookieAck_RstAndCounted) {
  WarmArp();
  ListenWithFullSynQueue(1);
  const TcpRepr synack = SynGetSynAck(40000, 5000);
  TcpRepr forged = AckFor(synack);
  forged.ack = forged.ack + 1;
  Deliver(kClientIp, forged);
  EXPECT_THAT(CaptureSegmentsAtClient(),
              ElementsAre(IsSegment({.ports = Ports{kPort, 40000},
                                     .seq = forged.ack,
                                     .ack = SeqNum(0),
                                     .flags = TcpFlag::kRst,
                                     .window = 0,
                                     .payload = "",
                                     .options = kNoOptions})));
  // Another tuple replaying the cookie.
  TcpRepr replay = AckFor(synack);
  replay.src_port = 40001;
  Deliver(kClientIp, replay);
  EXPECT_EQ(CaptureAtClient().size(), 1u);
  EXPECT_EQ(Tcp().syncookies_failed, 2u);
  EXPECT_EQ(Tcp().syncookies_validated, 0u);
  EXPECT_EQ(server_->tcp().connection_count(), 1u);
  EXPECT_EQ(server_->counters().drops[DropReason::kTcpBadAck], 2u);
}

// A listener that sent no cookie lately checks no ACK as one (as Linux):
// the stray ACK gets its RST and counts no cookie failure.
TEST_F(SynFlood, NoCookiesSent_AckNotChecked_Rst) {
  WarmArp();
  ASSERT_TRUE(server_->Listen(kPort, 8).ok());
  Deliver(kClientIp, {.src_port = 40000,
                      .dst_port = kPort,
                      .seq = SeqNum(5001),
                      .ack = SeqNum(777),
                      .flags = TcpFlag::kAck,
                      .window = 1000});
  std::vector<TcpRepr> got = CaptureAtClient();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].flags, TcpFlag::kRst);
  EXPECT_EQ(Tcp().syncookies_failed, 0u);
}

// With cookies off the full SYN queue drops the SYN, as before.
TEST_F(SynFlood, CookiesOff_SynQueueFull_SynDropped) {
  TcpLayerConfig cfg;
  cfg.syn_cookies = false;
  BuildServer(cfg);
  WarmArp();
  ListenWithFullSynQueue(1);
  Deliver(kClientIp, Syn(40000, 5000));
  EXPECT_TRUE(CaptureAtClient().empty());
  EXPECT_EQ(server_->counters().drops[DropReason::kTcpSynQueueFull], 1u);
  EXPECT_EQ(Tcp().syncookies_sent, 0u);
}

// The application is behind: a valid cookie ACK that finds the accept
// queue full is dropped (counted, no RST); its retransmission, once there
// is room, still gets in.
TEST_F(SynFlood, CookieAck_AcceptQueueFull_DroppedThenRetransmissionAccepted) {
  WarmArp();
  const ListenerId l = ListenWithFullSynQueue(1);
  const TcpRepr a = SynGetSynAck(40000, 5000, /*options=*/false);
  const TcpRepr b = SynGetSynAck(40001, 6000, /*options=*/false);
  Deliver(kClientIp, AckFor(a));  // takes the one accept slot
  EXPECT_EQ(server_->tcp().connection_count(), 2u);
  Deliver(kClientIp, AckFor(b));
  EXPECT_TRUE(CaptureAtClient().empty());
  EXPECT_EQ(server_->counters().drops[DropReason::kTcpAcceptQueueFull], 1u);
  EXPECT_EQ(server_->tcp().connection_count(), 2u);
  EXPECT_EQ(Tcp().syncookies_validated, 2u);

  ASSERT_TRUE(server_->Accept(l).valid());
  clock_.Advance(Duration::Seconds(1));
  Deliver(kClientIp, AckFor(b), "late");
  const SocketId sb = server_->Accept(l);
  ASSERT_TRUE(sb.valid());
  EXPECT_EQ(server_->Find(sb)->tuple().remote_port, 40001);
  EXPECT_EQ(server_->Find(sb)->state(), TcpState::kEstablished);
  EXPECT_EQ(server_->Find(sb)->recv_queued(), 4u);
}

// Issue 8: spoofed SYNs from 150 on-link addresses that never answer ARP
// pour in for a second while a real client stack opens connections, sends
// a request and reads a 20 KB page on each: every one is served at once
// (SYN cookies), and 64 s after the flood (the SYN-ACK schedule: 63 s)
// nothing of it is left.
TEST_F(SynFlood, SpoofedFlood_RealClientServed_HalfOpenStateGoneAfter) {
  constexpr uint32_t kBacklog = 16;
  constexpr int kClients = 10;
  constexpr uint64_t kPage = 20000;
  ASSERT_TRUE(server_->Listen(kPort, kBacklog).ok());
  TcpApp ca(*client_), sa(*server_);
  // The server answers each request with the page and closes first.
  sa.accept_script = {.send_total = kPage, .seed = 7};
  std::vector<SocketId> cs;
  std::vector<Instant> started;
  std::mt19937 rng(4242);
  size_t max_conns = 0;
  for (int turn = 0; turn < 2000; ++turn) {  // 1 s, 20000 SYNs
    for (int k = 0; k < 10; ++k) {
      Packet p[1] = {TcpFrame(
          wire_->b().mac(), wire_->a().mac(),
          Ipv4Address(10, 0, 0, static_cast<uint8_t>(100 + rng() % 150)),
          kServerIp,
          {.src_port = static_cast<uint16_t>(1024 + rng() % 60000),
           .dst_port = kPort,
           .seq = SeqNum(static_cast<uint32_t>(rng())),
           .flags = TcpFlag::kSyn,
           .window = 65535})};
      ASSERT_EQ(wire_->a().TxBurst(p), 1u);
    }
    if (turn % 200 == 100) {
      cs.push_back(ca.Connect(kServerIp, kPort,
                              {.send_total = 100,
                               .seed = static_cast<uint64_t>(turn),
                               .close_when_sent = false}));
      started.push_back(clock_.Now());
    }
    RunFor(Duration::Micros(500));
    max_conns = std::max(max_conns, server_->tcp().connection_count());
  }
  const Instant flood_end = clock_.Now();
  ASSERT_EQ(cs.size(), size_t{kClients});
  // Each client was served within the flood, well inside a SYN timeout.
  Fnv64 page;
  for (uint64_t i = 0; i < kPage; ++i) {
    const std::byte b = PatternByte(7, i);
    page.Add(&b, 1);
  }
  for (SocketId s : cs) {
    const Flow& f = ca.flows[s];
    EXPECT_TRUE(f.eof) << "client " << s.handle.index << " not served";
    EXPECT_EQ(f.received, kPage);
    EXPECT_EQ(f.rx_hash.h, page.h);
  }
  EXPECT_EQ(sa.accepted, uint64_t{kClients});
  for (auto& [id, f] : sa.flows) EXPECT_EQ(f.received, 100u);
  EXPECT_EQ(client_->counters().tcp.retransmits, 0u);
  const TcpCounters t = Tcp();
  EXPECT_GT(t.syncookies_sent, 10000u);
  EXPECT_EQ(t.syncookies_validated, uint64_t{kClients});
  // Half-open state never beyond the backlog (plus the served clients in
  // TIME-WAIT).
  EXPECT_LE(max_conns, kBacklog + kClients);
  // Bounded SYN-RECEIVED: the SYN-ACK retries (1+2+4+8+16+32 s) run out
  // and TIME-WAIT (60 s) ends: nothing left 64 s after the flood.
  RunFor(flood_end + Duration::Seconds(64) - clock_.Now());
  EXPECT_EQ(server_->tcp().connection_count(), 0u);
  EXPECT_EQ(server_->counters().tcp.timeouts_closed, kBacklog);
}

}  // namespace
}  // namespace skiff::testing
