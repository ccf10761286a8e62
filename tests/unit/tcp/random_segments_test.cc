// Robustness: random segments (valid, stale, out of window, odd flags and
// options) mixed with application calls and time steps. The connection must
// keep its invariants and never touch memory it does not own (the test
// command runs this binary under ASan + UBSan too:
// tests/fuzz/sanitize_unit.sh).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

class RandomSegments : public TcpTest {
 protected:
  void CheckInvariants() {
    ASSERT_LE(conn->snd_una(), conn->snd_nxt());
    ASSERT_LE(conn->recv_queued(), cfg.recv_buffer_size);
    ASSERT_LE(conn->send_queued(), cfg.send_buffer_size);
    if (conn->closed()) {
      ASSERT_EQ(conn->NextDeadline(), Instant::Max());
    }
  }

  SegSpec RandomSegment(std::mt19937& rng) {
    auto u = [&](uint32_t n) {
      return std::uniform_int_distribution<uint32_t>(0, n)(rng);
    };
    const uint8_t flag_choices[] = {
        TcpFlag::kAck,
        TcpFlag::kAck | TcpFlag::kPsh,
        TcpFlag::kAck | TcpFlag::kFin,
        TcpFlag::kRst,
        TcpFlag::kRst | TcpFlag::kAck,
        TcpFlag::kSyn,
        TcpFlag::kSyn | TcpFlag::kAck,
        static_cast<uint8_t>(u(255)),
    };
    SegSpec s;
    s.flags = flag_choices[u(7)];
    // Mostly near the edges that matter, sometimes anywhere.
    const SeqNum rbase = u(3) == 0 ? SeqNum(u(UINT32_MAX)) : conn->rcv_nxt();
    s.seq = rbase + (u(70000) - 35000);
    const SeqNum abase = u(3) == 0 ? SeqNum(u(UINT32_MAX)) : conn->snd_una();
    s.ack = abase + (u(4000) - 1000);
    s.window = static_cast<uint16_t>(u(3) == 0 ? 0 : u(65535));
    s.payload.assign(u(4) == 0 ? u(3000) : 0, static_cast<char>('a' + u(25)));
    if (u(1)) s.options.timestamp = TcpTimestamp{u(UINT32_MAX), u(UINT32_MAX)};
    s.options.sack_count = static_cast<uint8_t>(u(4));
    for (int i = 0; i < s.options.sack_count; ++i) {
      SeqNum l = conn->snd_una() + (u(200000) - 50000);
      s.options.sack[i] = {l, l + u(100000)};
    }
    return s;
  }
};

TEST_F(RandomSegments, ManySeeds_InvariantsHold) {
  cfg.recv_buffer_size = 8 * 1024;
  cfg.send_buffer_size = 8 * 1024;
  cfg.max_ooo_ranges = 4;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    ToEstablished(/*full_options=*/seed % 2 == 0);
    for (int step = 0; step < 3000 && !conn->closed(); ++step) {
      switch (rng() % 6) {
        case 0:
        case 1:
          Recv(RandomSegment(rng));
          break;
        case 2:
          Write(std::string(rng() % 3000, 'w'));
          break;
        case 3:
          ReadAll();
          break;
        case 4:
          Advance(Duration::Millis(rng() % 400));
          break;
        default:
          if (rng() % 50 == 0) conn->Shutdown();
          break;
      }
      Poll();
      CheckInvariants();
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace skiff::testing
