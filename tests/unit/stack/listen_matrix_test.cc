// The LISTEN row of the RFC 9293 §3.10.7 state × event matrix (the other
// states are in tests/unit/tcp/state_matrix_test.cc): LISTEN is the
// listener in TcpLayer, so each kind of segment is injected as a frame into
// a StackCore with a listener on port 80 and what leaves is captured. A
// listener has no sequence space yet, so there is one cell per kind.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "tests/unit/stack/tcp_frames.h"
#include "tests/unit/stack/two_stacks.h"

namespace skiff::testing {
namespace {

constexpr uint8_t kSyn = TcpFlag::kSyn;
constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kFin = TcpFlag::kFin;
constexpr uint8_t kRst = TcpFlag::kRst;
constexpr uint8_t kPsh = TcpFlag::kPsh;

enum class Out { kNothing, kRst, kSynAck };

struct ListenCell {
  const char* name;  // kind and outcome
  uint8_t flags;
  bool data;
  Out out;
  const char* step;
};
void PrintTo(const ListenCell& c, std::ostream* os) { *os << c.name; }

// RFC 9293 §3.10.7.2, in its order: first RST, second ACK, third SYN,
// fourth anything else.
const ListenCell kCells[] = {
    {"Syn_SynAck_ToSynReceived", kSyn, false, Out::kSynAck,
     "3.10.7.2 third: SYN: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><SYN,ACK>"},
    {"SynAck_Rst", kSyn | kAck, false, Out::kRst,
     "3.10.7.2 second: any ACK: <SEQ=SEG.ACK><CTL=RST>"},
    {"Ack_Rst", kAck, false, Out::kRst,
     "3.10.7.2 second: any ACK: <SEQ=SEG.ACK><CTL=RST>"},
    {"Data_Rst", kAck | kPsh, true, Out::kRst,
     "3.10.7.2 second: any ACK: <SEQ=SEG.ACK><CTL=RST>"},
    {"Fin_Drop", kFin, false, Out::kNothing,
     "3.10.7.2 fourth: other control or text: drop"},
    {"FinAck_Rst", kFin | kAck, false, Out::kRst,
     "3.10.7.2 second: any ACK: <SEQ=SEG.ACK><CTL=RST>"},
    {"Rst_Drop", kRst, false, Out::kNothing,
     "3.10.7.2 first: an incoming RST is ignored"},
    {"RstAck_Drop", kRst | kAck, false, Out::kNothing,
     "3.10.7.2 first: an incoming RST is ignored"},
    // The FIN is "queued for processing later" by the RFC; skiff's
    // listener does not keep it (the peer retransmits), but the SYN is
    // answered and does not acknowledge the FIN.
    {"SynFin_SynAck_ToSynReceived", kSyn | kFin, false, Out::kSynAck,
     "3.10.7.2 third: SYN: SYN-RECEIVED, SYN,ACK (FIN not acknowledged)"},
};

class ListenMatrix : public TwoStacks,
                     public ::testing::WithParamInterface<ListenCell> {};

TEST_P(ListenMatrix, Rfc9293) {
  const ListenCell& c = GetParam();
  SCOPED_TRACE(std::string("RFC 9293 §") + c.step);
  // Both sides learn each other's MAC first (a refused connect).
  ConnectResult warm = client_->Connect(kServerIp, 9);
  ASSERT_TRUE(warm.ok());
  RunFor(Duration::Millis(5));
  client_->Close(warm.value());
  RunFor(Duration::Millis(1));
  ASSERT_TRUE(server_->Listen(80).ok());
  std::array<Packet, 32> burst;
  while (wire_->a().RxBurst(burst) > 0) {
  }

  const std::string data = c.data ? "x" : "";
  const TcpRepr seg{.src_port = 40000,
                    .dst_port = 80,
                    .seq = SeqNum(5000),
                    .ack = (c.flags & kAck) ? SeqNum(777) : SeqNum(),
                    .flags = c.flags,
                    .window = 65535};
  Packet p[1] = {TcpFrame(wire_->b().mac(), wire_->a().mac(), kClientIp,
                          kServerIp, seg, AsBytes(data.data(), data.size()))};
  ASSERT_EQ(wire_->a().TxBurst(p), 1u);
  server_->Poll(clock_.Now());

  std::vector<TcpRepr> got;
  for (size_t n; (n = wire_->a().RxBurst(burst)) > 0;) {
    for (size_t i = 0; i < n; ++i) {
      if (auto t = ParseTcp(burst[i])) got.push_back(*t);
      burst[i] = Packet();
    }
  }
  switch (c.out) {
    case Out::kNothing:
      EXPECT_TRUE(got.empty());
      EXPECT_EQ(server_->tcp().connection_count(), 0u);
      break;
    case Out::kRst:
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].flags, kRst);
      EXPECT_EQ(got[0].seq, SeqNum(777));
      EXPECT_EQ(server_->tcp().connection_count(), 0u);
      break;
    case Out::kSynAck:
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].flags, kSyn | kAck);
      EXPECT_EQ(got[0].ack, SeqNum(5001));
      EXPECT_EQ(server_->tcp().connection_count(), 1u);
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Listen, ListenMatrix, ::testing::ValuesIn(kCells),
                         [](const ::testing::TestParamInfo<ListenCell>& i) {
                           return std::string(i.param.name);
                         });

}  // namespace
}  // namespace skiff::testing
