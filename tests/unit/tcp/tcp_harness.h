// A sans-IO harness for Connection tests, in the style of smoltcp's TCP
// tests: a fixture that brings a connection to any state, feeds it
// segments written as designated-initializer templates at ManualClock
// times, and matchers on what it emits (gVisor's checker, composable with
// AllOf).
#ifndef SKIFF_TESTS_UNIT_TCP_TCP_HARNESS_H_
#define SKIFF_TESTS_UNIT_TCP_TCP_HARNESS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "stack/base/clock.h"
#include "stack/base/drop_reason.h"
#include "stack/tcp/connection.h"
#include "tests/unit/tcp/segment_match.h"

namespace skiff::testing {

// Sequence numbers in tests are offsets: L(n) is our n-th data byte
// (ISS + 1 + n), R(n) the peer's.
inline constexpr uint32_t kLocalIss = 1000;
inline constexpr uint32_t kRemoteIss = 5000;
inline constexpr uint16_t kLocalPort = 80;
inline constexpr uint16_t kRemotePort = 49152;
inline SeqNum L(uint32_t n) { return SeqNum(kLocalIss + 1 + n); }
inline SeqNum R(uint32_t n) { return SeqNum(kRemoteIss + 1 + n); }

// What the connection sends carries these ports (IsSegment's `.ports`).
inline constexpr Ports kOut{kLocalPort, kRemotePort};

class Recorder final : public SegmentSink {
 public:
  bool Emit(const TcpSegmentOut& seg) override {
    if (refuse) return false;
    Sent s{seg.header, {}};
    for (const ConstByteSpan& p : seg.payload) {
      s.payload.append(reinterpret_cast<const char*>(p.data()), p.size());
    }
    segs.push_back(std::move(s));
    return true;
  }
  std::vector<Sent> segs;
  bool refuse = false;
};

MATCHER_P(SeqIs, seq, "") { return arg.h.seq == seq; }
MATCHER_P(AckIs, ack, "") {
  return (arg.h.flags & TcpFlag::kAck) && arg.h.ack == ack;
}
MATCHER_P(FlagsAre, flags, "") { return arg.h.flags == flags; }
MATCHER_P(WindowIs, w, "") { return arg.h.window == w; }
MATCHER_P(PayloadIs, p, "") { return arg.payload == std::string(p); }
MATCHER_P(PayloadLenIs, n, "") { return arg.payload.size() == size_t(n); }
MATCHER_P(MssIs, m, "") { return arg.h.options.mss == uint16_t(m); }
MATCHER_P(WindowScaleIs, s, "") {
  return arg.h.options.window_scale == uint8_t(s);
}
MATCHER(NoWindowScale, "") { return !arg.h.options.window_scale; }
MATCHER(HasTimestamp, "") { return arg.h.options.timestamp.has_value(); }
MATCHER(NoTimestamp, "") { return !arg.h.options.timestamp.has_value(); }
MATCHER_P(TsEcrIs, e, "") {
  return arg.h.options.timestamp && arg.h.options.timestamp->tsecr == e;
}
MATCHER(SackPermitted, "") { return arg.h.options.sack_permitted; }
MATCHER(NoSackPermitted, "") { return !arg.h.options.sack_permitted; }
// SACK blocks as [left, right) pairs, most recent first.
MATCHER_P(SackBlocksAre, blocks, "") {
  const std::vector<std::pair<SeqNum, SeqNum>>& want = blocks;
  if (arg.h.options.sack_count != want.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (arg.h.options.sack[i].left != want[i].first ||
        arg.h.options.sack[i].right != want[i].second) {
      return false;
    }
  }
  return true;
}

// A peer segment template: seq/ack as absolute SeqNums (use R()/L()).
struct SegSpec {
  uint8_t flags = TcpFlag::kAck;
  SeqNum seq = R(0);
  SeqNum ack = L(0);
  uint16_t window = 65535;
  std::string payload;
  TcpOptions options;
};

class TcpTest : public ::testing::Test {
 protected:
  TcpTest() {
    // Simple traces by default: the peer offers no options unless a test
    // says so, so nothing beyond MSS is negotiated.
    cfg.recv_buffer_size = 64 * 1024;
    cfg.send_buffer_size = 64 * 1024;
  }

  Instant now() { return clock.Now(); }
  void Advance(Duration d) { clock.Advance(d); }
  FourTuple tuple() const {
    return {Ipv4Address(10, 0, 0, 1), kLocalPort, Ipv4Address(10, 0, 0, 2),
            kRemotePort};
  }
  void Make() {
    conn =
        std::make_unique<Connection>(cfg, &drops, pool.get(), challenge_limit);
  }

  TcpRepr Repr(const SegSpec& s) const {
    TcpRepr h;
    h.src_port = kRemotePort;
    h.dst_port = kLocalPort;
    h.seq = s.seq;
    h.ack = (s.flags & TcpFlag::kAck) ? s.ack : SeqNum();
    h.flags = s.flags;
    h.window = s.window;
    h.options = s.options;
    return h;
  }
  void Recv(const SegSpec& s) {
    conn->OnSegment({Repr(s), AsBytes(s.payload.data(), s.payload.size())},
                    now());
  }
  // One loop turn as the layer gives it (connection.h): the bookkeeping
  // after the last call, timers (step 3), transmit (step 5).
  std::vector<Sent> Poll() {
    out.segs.clear();
    conn->PollAt(now());
    if (conn->NextDeadline() <= now()) conn->OnTimers(now());
    if (conn->PollAt(now()) <= now()) conn->PollTransmit(now(), out);
    conn->PollAt(now());
    return out.segs;
  }
  // The layer's question after every call: is a segment due now?
  bool Due() { return conn->PollAt(now()) <= now(); }
  // Exactly one segment is emitted and returned.
  Sent PollOne() {
    std::vector<Sent> v = Poll();
    EXPECT_EQ(v.size(), 1u) << "emitted " << ::testing::PrintToString(v);
    return v.empty() ? Sent{} : v.front();
  }
  void ExpectNothing() {
    std::vector<Sent> v = Poll();
    EXPECT_TRUE(v.empty()) << ::testing::PrintToString(v);
  }
  // Advances the clock to the next deadline and polls.
  std::vector<Sent> FireNext() {
    Instant d = conn->NextDeadline();
    EXPECT_NE(d, Instant::Max());
    if (d > now()) clock.Set(d);
    return Poll();
  }
  size_t Write(const std::string& s) {
    SendResult r = conn->Send(AsBytes(s.data(), s.size()));
    return r.ok() ? r.value() : 0;
  }
  std::string ReadAll() {
    std::string got;
    char buf[4096];
    for (;;) {
      RecvResult r =
          conn->Recv(ByteSpan(reinterpret_cast<std::byte*>(buf), sizeof(buf)));
      if (!r.ok() || r.value() == 0) break;
      got.append(buf, r.value());
    }
    return got;
  }

  // The peer's SYN as Linux would send it when `full`, else MSS only.
  static TcpOptions PeerSynOptions(bool full) {
    TcpOptions o;
    o.mss = 1460;
    if (full) {
      o.window_scale = 7;
      o.sack_permitted = true;
      o.timestamp = TcpTimestamp{777, 0};
    }
    return o;
  }

  // ---- bring the connection to a state ----
  void ToSynSent() {
    Make();
    conn->Connect(tuple(), SeqNum(kLocalIss), now());
    Sent syn = PollOne();
    ASSERT_EQ(syn.h.flags, TcpFlag::kSyn);
  }
  void ToSynReceived(bool full_options = false) {
    Make();
    TcpRepr syn = Repr({.flags = TcpFlag::kSyn,
                        .seq = SeqNum(kRemoteIss),
                        .options = PeerSynOptions(full_options)});
    conn->AcceptSyn(tuple(), SeqNum(kLocalIss), syn, now());
    Sent synack = PollOne();
    ASSERT_EQ(synack.h.flags, TcpFlag::kSyn | TcpFlag::kAck);
  }
  void ToEstablished(bool full_options = false) {
    ToSynReceived(full_options);
    SegSpec ack{};
    if (full_options) ack.options.timestamp = TcpTimestamp{778, Ts()};
    Recv(ack);
    ASSERT_EQ(conn->state(), TcpState::kEstablished);
    ExpectNothing();
  }
  void ToFinWait1() {
    ToEstablished();
    conn->Shutdown();
    Sent fin = PollOne();
    ASSERT_EQ(fin.h.flags, TcpFlag::kFin | TcpFlag::kAck);
    ASSERT_EQ(conn->state(), TcpState::kFinWait1);
  }
  void ToFinWait2() {
    ToFinWait1();
    Recv({.ack = L(1)});
    ASSERT_EQ(conn->state(), TcpState::kFinWait2);
    ExpectNothing();
  }
  void ToCloseWait() {
    ToEstablished();
    Recv({.flags = TcpFlag::kFin | TcpFlag::kAck});
    ASSERT_EQ(conn->state(), TcpState::kCloseWait);
    PollOne();
  }
  void ToLastAck() {
    ToCloseWait();
    conn->Shutdown();
    Sent fin = PollOne();
    ASSERT_EQ(fin.h.flags, TcpFlag::kFin | TcpFlag::kAck);
    ASSERT_EQ(conn->state(), TcpState::kLastAck);
  }
  void ToClosing() {
    ToFinWait1();
    Recv({.flags = TcpFlag::kFin | TcpFlag::kAck, .ack = L(0)});
    ASSERT_EQ(conn->state(), TcpState::kClosing);
    PollOne();
  }
  void ToTimeWait() {
    ToFinWait2();
    Recv({.flags = TcpFlag::kFin | TcpFlag::kAck, .ack = L(1)});
    ASSERT_EQ(conn->state(), TcpState::kTimeWait);
    PollOne();
  }
  uint32_t Ts() { return static_cast<uint32_t>(now().nanos() / 1'000'000); }

  TcpConfig cfg;
  DropCounters drops;
  ChallengeAckLimiter* challenge_limit = nullptr;  // the layer's, if any
  // The layer's chunk pool, if a test gives one (before Make()); null: the
  // heap. Declared before `conn`, which gives back to it.
  std::unique_ptr<ChunkPool> pool;
  ManualClock clock;
  std::unique_ptr<Connection> conn;
  Recorder out;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_TCP_TCP_HARNESS_H_
