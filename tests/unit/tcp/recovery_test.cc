// Loss recovery beyond RFC 5681 fast retransmit: RFC 3042 limited transmit,
// RFC 8985 §7 tail loss probes, lost-retransmission detection from SACK
// (RFC 8985 §6.2 idea) and RFC 6675 pipe-limited new data in recovery.
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr uint32_t kM = 1448;  // 1460 - 12 (timestamps)

class Recovery : public TcpTest {
 protected:
  // A duplicate ACK at L(0) SACKing [a*kM, b*kM) for each (a, b).
  void DupAck(std::vector<std::pair<uint32_t, uint32_t>> blocks) {
    SegSpec d{.ack = L(0)};
    d.options.timestamp = TcpTimestamp{800, Ts()};
    d.options.sack_count = static_cast<uint8_t>(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
      d.options.sack[i] = {L(blocks[i].first * kM), L(blocks[i].second * kM)};
    }
    Recv(d);
  }
};

TEST_F(Recovery, Established_FirstTwoDupAcks_LimitedTransmitSendsNewData) {
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  Write(std::string(14 * kM, 'l'));
  ASSERT_THAT(Poll(), SizeIs(10));  // the initial window
  DupAck({{1, 2}});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(10 * kM)), PayloadLenIs(kM))));
  DupAck({{1, 3}});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(11 * kM)), PayloadLenIs(kM))));
  // The third starts fast retransmit (RFC 5681 §3.2).
  DupAck({{1, 4}});
  EXPECT_THAT(Poll(), Contains(AllOf(SeqIs(L(0)), PayloadLenIs(kM))));
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);
}

TEST_F(Recovery, Established_TailUnacked_LossProbeBeforeRto) {
  ToEstablished(/*full_options=*/true);  // one RTT sample (0 ms)
  conn->SetNoDelay(true);
  Write(std::string(3 * kM, 't'));
  ASSERT_THAT(Poll(), SizeIs(3));
  const Instant sent = now();
  // No ACK: the probe (the last segment again) goes after the PTO, well
  // before the 200 ms minimum RTO.
  EXPECT_THAT(FireNext(),
              ElementsAre(AllOf(SeqIs(L(2 * kM)), PayloadLenIs(kM))));
  EXPECT_LT(now() - sent, Duration::Millis(100));
  EXPECT_EQ(conn->stats().loss_probes, 1u);
  EXPECT_EQ(conn->stats().timeouts, 0u);
  // One probe per tail: the next deadline is the RTO.
  EXPECT_THAT(FireNext(), Contains(SeqIs(L(0))));
  EXPECT_EQ(conn->stats().timeouts, 1u);
  EXPECT_EQ(conn->stats().loss_probes, 1u);
}

TEST_F(Recovery, Established_TailUnackedWithMoreData_ProbeSendsNewData) {
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  Write(std::string(11 * kM, 'n'));
  ASSERT_THAT(Poll(), SizeIs(10));  // cwnd-limited: one segment waits
  EXPECT_THAT(FireNext(),
              ElementsAre(AllOf(SeqIs(L(10 * kM)), PayloadLenIs(kM))));
  EXPECT_EQ(conn->stats().loss_probes, 1u);
}

TEST_F(Recovery, FastRecovery_RetransmissionLost_ResentWhenLaterDataSacked) {
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  Write(std::string(20 * kM, 'r'));
  ASSERT_THAT(Poll(), SizeIs(10));
  DupAck({{1, 2}});
  Poll();  // limited transmit: segment 10
  DupAck({{1, 3}});
  Poll();  // segment 11
  DupAck({{1, 4}});
  EXPECT_THAT(Poll(), Contains(AllOf(SeqIs(L(0)), PayloadLenIs(kM))));
  // Segments 4..11 arrive: the pipe drains below ssthresh and new data
  // goes (RFC 6675 §5 (C)) although NewReno's cwnd alone would hold it.
  DupAck({{1, 12}});
  std::vector<Sent> fresh = Poll();
  ASSERT_THAT(fresh, Contains(SeqIs(L(12 * kM))));
  // Three of those, sent after the retransmission, are SACKed while
  // segment 0 is still missing: the retransmission was lost; resend it.
  DupAck({{1, 15}});
  EXPECT_THAT(Poll(), Contains(AllOf(SeqIs(L(0)), PayloadLenIs(kM))));
  EXPECT_EQ(conn->stats().lost_retransmits, 1u);
  EXPECT_EQ(conn->stats().timeouts, 0u);
}

TEST_F(Recovery, Established_ReorderedDupAckWithOlderTimestamp_Counted) {
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  Write(std::string(10 * kM, 'p'));
  ASSERT_THAT(Poll(), SizeIs(10));
  auto dup = [&](uint32_t tsval, uint32_t sacked_to) {
    SegSpec d{.ack = L(0)};
    d.options.timestamp = TcpTimestamp{tsval, Ts()};
    d.options.sack_count = 1;
    d.options.sack[0] = {L(kM), L(sacked_to * kM)};
    Recv(d);
  };
  dup(900, 3);  // overtook the one below
  dup(899, 2);  // older TSval: a disordered duplicate ACK, not a replay
  EXPECT_EQ(drops[DropReason::kTcpPawsReject], 0u);
  EXPECT_EQ(conn->stats().dup_acks, 2u);
  // Far older than one RTO: PAWS rejects it (RFC 7323 §5.3).
  dup(900 - 100000, 4);
  EXPECT_EQ(drops[DropReason::kTcpPawsReject], 1u);
  EXPECT_EQ(conn->stats().dup_acks, 2u);
}

}  // namespace
}  // namespace skiff::testing
