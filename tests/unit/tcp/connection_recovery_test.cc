// Loss recovery and reordering, segment by segment: fast retransmit and
// NewReno (RFC 5681, 6582), SACK generation and SACK-based recovery
// (RFC 2018, 6675), out-of-order reassembly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/connection_segments.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST_F(TcpTest, Established_ThreeDupAcks_FastRetransmitThenNewRenoRecovery) {
  ToEstablished();
  conn->SetNoDelay(true);
  // Ten segments; the peer's window is plenty, cwnd is 10 segments.
  std::string data(14600, 'n');
  Write(data);
  EXPECT_THAT(Poll(), SizeIs(10));
  const uint32_t cwnd0 = conn->cwnd();
  // Segments 0 and 3 lost: ACKs for 1, 2 show as dupacks of L(0).
  Recv({.ack = L(0)});
  Recv({.ack = L(0)});
  ExpectNothing();
  Recv({.ack = L(0)});
  EXPECT_EQ(conn->stats().dup_acks, 3u);
  EXPECT_THAT(PollOne(), AllOf(SeqIs(L(0)), PayloadLenIs(1460)));
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);
  EXPECT_EQ(conn->ssthresh(), cwnd0 / 2);
  // Partial ACK (up to the second hole at segment 3): resend it at once.
  Recv({.ack = L(3 * 1460)});
  EXPECT_THAT(Poll(), ::testing::Contains(SeqIs(L(3 * 1460))));
  // Full ACK: recovery ends with cwnd deflated to at most ssthresh.
  Recv({.ack = L(14600)});
  EXPECT_LE(conn->cwnd(), conn->ssthresh());
}

TEST_F(TcpTest, Established_OutOfOrder_ReassembledWithSackBlocks) {
  cfg.sack = true;
  ToEstablished(/*full_options=*/true);
  Recv({.seq = R(10),
        .payload = "klm",
        .options = {.timestamp = TcpTimestamp{800, 0}}});
  EXPECT_THAT(
      PollOne(),
      AllOf(AckIs(R(0)), SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{
                             {R(10), R(13)}})));
  Recv({.seq = R(5),
        .payload = "fgh",
        .options = {.timestamp = TcpTimestamp{801, 0}}});
  EXPECT_THAT(PollOne(), SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{
                             {R(5), R(8)}, {R(10), R(13)}}));
  EXPECT_EQ(conn->stats().out_of_order, 2u);
  EXPECT_EQ(conn->recv_queued(), 0u);
  Recv({.seq = R(0),
        .payload = "abcde",
        .options = {.timestamp = TcpTimestamp{802, 0}}});
  EXPECT_THAT(
      PollOne(),
      AllOf(AckIs(R(8)), SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{
                             {R(10), R(13)}})));
  Recv({.seq = R(8),
        .payload = "ij",
        .options = {.timestamp = TcpTimestamp{803, 0}}});
  EXPECT_THAT(PollOne(),
              AllOf(AckIs(R(13)),
                    SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{})));
  EXPECT_EQ(ReadAll(), "abcdefghijklm");
}

TEST_F(TcpTest, Established_SackedHoles_ResentWithoutWaitingForPartialAck) {
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  const uint32_t m = 1448;  // 1460 - 12 (timestamps)
  Write(std::string(10 * m, 's'));
  ASSERT_THAT(Poll(), SizeIs(10));
  // Segments 0 and 2 are lost; 1, 3, 4, 5 arrive and are SACKed.
  auto dupack = [&](std::vector<std::pair<uint32_t, uint32_t>> blocks) {
    SegSpec d{.ack = L(0)};
    d.options.timestamp = TcpTimestamp{800, Ts()};
    d.options.sack_count = static_cast<uint8_t>(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
      d.options.sack[i] = {L(blocks[i].first * m), L(blocks[i].second * m)};
    }
    Recv(d);
  };
  dupack({{1, 2}});
  dupack({{3, 4}, {1, 2}});
  dupack({{3, 5}, {1, 2}});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(0)), PayloadLenIs(m))));
  // Three segments SACKed above segment 2: lost (RFC 6675 IsLost). It goes
  // on this duplicate ACK, not one RTT later on the partial ACK.
  dupack({{3, 6}, {1, 2}});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(2 * m)), PayloadLenIs(m))));
  EXPECT_EQ(conn->stats().sack_retransmits, 1u);
  // The partial ACK up to the resent hole does not resend SACKed data.
  SegSpec partial{.ack = L(2 * m)};
  partial.options.timestamp = TcpTimestamp{801, Ts()};
  Recv(partial);
  for (const Sent& x : Poll()) {
    EXPECT_FALSE(x.h.seq == L(m) || x.h.seq == L(3 * m)) << x;
  }
}

TEST_F(TcpTest, Established_SackDupAcksWithGrowingWindow_FastRetransmit) {
  // A receiver that keeps reading opens its window in every duplicate ACK;
  // with SACK, new SACKed data still makes them duplicates (RFC 6675 §2).
  ToEstablished(/*full_options=*/true);
  conn->SetNoDelay(true);
  const uint32_t m = 1448;
  Write(std::string(8 * m, 'g'));
  ASSERT_THAT(Poll(), SizeIs(8));
  for (uint32_t i = 1; i <= 3; ++i) {
    SegSpec d{.ack = L(0), .window = static_cast<uint16_t>(500 + i)};
    d.options.timestamp = TcpTimestamp{800, Ts()};
    d.options.sack_count = 1;
    d.options.sack[0] = {L(m), L((i + 1) * m)};
    Recv(d);
  }
  EXPECT_EQ(conn->stats().dup_acks, 3u);
  EXPECT_THAT(Poll(), ::testing::Contains(AllOf(SeqIs(L(0)), PayloadLenIs(m))));
  EXPECT_EQ(conn->stats().fast_retransmits, 1u);
}

TEST_F(TcpTest, Established_AckWithWindowChangeNoSack_NotDuplicate) {
  ToEstablished();
  conn->SetNoDelay(true);
  Write(std::string(5000, 'g'));
  Poll();
  for (uint16_t w = 1000; w < 1004; ++w) Recv({.ack = L(0), .window = w});
  EXPECT_EQ(conn->stats().dup_acks, 0u);  // RFC 5681 §2: window changed
}

TEST_F(TcpTest, Established_BurstOfOutOfOrderSegments_OneDupAckEach) {
  ToEstablished();
  Recv({.seq = R(100), .payload = "a"});
  Recv({.seq = R(200), .payload = "b"});
  Recv({.seq = R(300), .payload = "c"});
  EXPECT_THAT(Poll(), ElementsAre(AckIs(R(0)), AckIs(R(0)), AckIs(R(0))));
}

TEST_F(TcpTest, Established_OutOfOrderWithoutSack_NoSackBlocks) {
  ToEstablished();  // the peer did not offer SACK
  Recv({.seq = R(100), .payload = "a"});
  EXPECT_THAT(PollOne(),
              AllOf(AckIs(R(0)),
                    SackBlocksAre(std::vector<std::pair<SeqNum, SeqNum>>{})));
}

}  // namespace
}  // namespace skiff::testing
