// Sender corner cases an external conformance run found (issue 8, sender
// deviations 1-5), each as the segment trace that showed it:
//   1. RFC 6675 §5 / RFC 6582: a partial ACK in SACK recovery resent
//      segments already retransmitted in the episode;
//   2. RFC 8985 §7.2: the probe timeout with one segment out must allow for
//      the peer's worst-case delayed ACK (WCDelAckT), not ours;
//   3. RFC 8985 §7.3: the loss probe sends new data when there is some,
//      also with a FIN queued behind it;
//   4. RFC 7323 §3.2: a RST on a connection with timestamps carries them;
//   5. TS.Recent is not taken from a segment whose ACK acknowledges data
//      never sent (Linux; RFC 7323 permits it).
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::SizeIs;

constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kFin = TcpFlag::kFin;
constexpr uint8_t kPsh = TcpFlag::kPsh;
constexpr uint8_t kRst = TcpFlag::kRst;

// The segment starts in [from, to) (offsets of our data, as L()).
MATCHER_P2(SeqInRange, from, to, "") {
  return L(from) <= arg.h.seq && arg.h.seq < L(to);
}

class SenderTest : public TcpTest {
 protected:
  // ESTABLISHED (passive) with the peer's <mss 1000, sackOK, wscale 7> and
  // no timestamps: 1000-byte segments, as the conformance scripts use.
  void ToEstablishedMss1000() {
    Make();
    TcpOptions o;
    o.mss = 1000;
    o.window_scale = 7;
    o.sack_permitted = true;
    conn->AcceptSyn(
        tuple(), SeqNum(kLocalIss),
        Repr({.flags = TcpFlag::kSyn, .seq = SeqNum(kRemoteIss), .options = o}),
        now());
    PollOne();
    Recv({});
    ASSERT_EQ(conn->state(), TcpState::kEstablished);
    ASSERT_EQ(conn->effective_mss(), 1000u);
  }
  // ESTABLISHED with all options and one RTT sample of `rtt`: the peer's
  // ACK of our SYN,ACK comes `rtt` later and echoes its TSval.
  void ToEstablishedWithRtt(Duration rtt) {
    ToSynReceived(/*full_options=*/true);
    const uint32_t synack_ts = Ts();
    Advance(rtt);
    Recv({.options = {.timestamp = TcpTimestamp{778, synack_ts}}});
    ASSERT_EQ(conn->state(), TcpState::kEstablished);
    ASSERT_EQ(conn->rtt().srtt(), rtt);
  }
  // An ACK of L(ack) SACKing [left, right) offset pairs.
  void Ack(uint32_t ack, std::vector<std::pair<uint32_t, uint32_t>> blocks) {
    SegSpec a{.ack = L(ack)};
    a.options.sack_count = static_cast<uint8_t>(blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
      a.options.sack[i] = {L(blocks[i].first), L(blocks[i].second)};
    }
    Recv(a);
  }
  // The peer's segment at R(0) with timestamps, acking L(0).
  SegSpec TsSeg(uint32_t tsval, std::string payload = {}) {
    SegSpec s{.payload = std::move(payload)};
    s.options.timestamp = TcpTimestamp{tsval, Ts()};
    return s;
  }
};

// ---- 1. RFC 6675 §5, RFC 6582: a hole is resent once per episode ----

// 30 segments out, the first four lost. The duplicate ACKs bring the fast
// retransmit and the three other holes (RFC 6675 §5 (C): NextSeg rule 1),
// then, as the pipe drains, new data from L(32000) on.
class SackRecoveryTest : public SenderTest {
 protected:
  static constexpr uint32_t m = 1000;
  void FourHolesResent() {
    cfg.initial_cwnd_segments = 30;
    ToEstablishedMss1000();
    conn->SetNoDelay(true);
    Write(std::string(60 * m, 'd'));
    ASSERT_THAT(Poll(), SizeIs(30));
    std::vector<Sent> sent;
    // Segments 4..29, then the two limited-transmit segments, arrive.
    for (uint32_t k = 5; k <= 32; ++k) {
      Ack(0, {{4 * m, k * m}});
      for (const Sent& s : Poll()) sent.push_back(s);
    }
    ASSERT_GE(sent.size(), 6u);
    ASSERT_THAT(std::vector<Sent>(sent.begin(), sent.begin() + 6),
                ElementsAre(SeqIs(L(30 * m)), SeqIs(L(31 * m)), SeqIs(L(0)),
                            SeqIs(L(1 * m)), SeqIs(L(2 * m)), SeqIs(L(3 * m))));
    ASSERT_EQ(conn->stats().retransmits, 4u);
    ASSERT_GT(conn->snd_nxt(), L(35 * m));
  }
};

// The partial ACKs that follow as the retransmissions arrive must not
// resend what is already resent (NextSeg() never goes below HighRxt); the
// room they open is for new data (rule 2).
TEST_F(SackRecoveryTest, PartialAcks_NoSecondRetransmission) {
  FourHolesResent();
  SeqNum next = conn->snd_nxt();
  // The retransmissions arrive one by one: partial ACKs (recover = 32000).
  for (uint32_t ack = 1; ack <= 3; ++ack) {
    Ack(ack * m, {{4 * m, 32 * m}});
    std::vector<Sent> got = Poll();
    EXPECT_THAT(got, Each(Not(SeqInRange(0, 4 * m))))
        << "partial ACK " << ack * m << ": " << ::testing::PrintToString(got);
    EXPECT_THAT(got, ElementsAre(AllOf(SeqIs(next), PayloadLenIs(m))))
        << "partial ACK " << ack * m;
    next = next + m;
  }
  EXPECT_EQ(conn->stats().retransmits, 4u);
  EXPECT_EQ(conn->stats().timeouts, 0u);
}

// A resent hole is resent again once it is known lost again: here new
// data sent after it was SACKed (RFC 8985 §6.2) while it is still missing.
TEST_F(SackRecoveryTest, RetransmissionLost_ResentAgainOnce) {
  FourHolesResent();
  Ack(1 * m, {{32 * m, 35 * m}, {4 * m, 32 * m}});
  std::vector<Sent> got = Poll();
  ASSERT_FALSE(got.empty());
  EXPECT_THAT(got.front(), AllOf(SeqIs(L(1 * m)), PayloadLenIs(m)));
  EXPECT_EQ(conn->stats().lost_retransmits, 1u);
}

// Without SACK information NewReno's partial ACK still resends the head
// (RFC 6582 §3.2 step 4).
TEST_F(SenderTest, NewRenoRecovery_PartialAck_ResendsHead) {
  constexpr uint32_t m = 1000;
  ToEstablishedMss1000();
  conn->SetNoDelay(true);
  Write(std::string(10 * m, 'd'));
  ASSERT_THAT(Poll(), SizeIs(10));
  for (int i = 0; i < 3; ++i) Ack(0, {});
  EXPECT_THAT(Poll(), ElementsAre(SeqIs(L(0))));
  Ack(1 * m, {});
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(1 * m)), PayloadLenIs(m))));
}

// ---- 2. RFC 8985 §7.2: PTO = 2·SRTT + WCDelAckT with one segment out ----

TEST_F(SenderTest, OneSegmentOut_ProbeWaitsForPeerWorstCaseDelayedAck) {
  ToEstablishedWithRtt(Duration::Millis(250));  // RTO = 3·250 ms
  Write("one small segment");
  ASSERT_THAT(Poll(), SizeIs(1));
  const Instant sent = now();
  // 2·250 + 200 ms; skiff's own 40 ms delayed ACK is no bound on the peer's.
  EXPECT_EQ(conn->NextDeadline(), sent + Duration::Millis(700));
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(0)), PayloadLenIs(17))));
  EXPECT_EQ(conn->stats().loss_probes, 1u);
}

TEST_F(SenderTest, OneSegmentOut_WorstCaseDelayedAckIsConfigurable) {
  cfg.tlp_peer_delayed_ack = Duration::Millis(100);
  ToEstablishedWithRtt(Duration::Millis(250));
  Write("one small segment");
  ASSERT_THAT(Poll(), SizeIs(1));
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Millis(600));
}

TEST_F(SenderTest, TwoSegmentsOut_ProbeAfterTwoSrtt) {
  ToEstablishedWithRtt(Duration::Millis(250));
  conn->SetNoDelay(true);
  Write(std::string(2 * 1448, 't'));
  ASSERT_THAT(Poll(), SizeIs(2));
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Millis(500));
}

// The trace: SRTT 150 ms, one segment out. The probe went at
// 2·150 + 40 = 340 ms, while a 200 ms-delaying peer's ACK is still due.
// 2·150 + 200 = 500 ms lies past the RTO (450 ms), so the probe goes at
// the RTO's time in its place (§7.2: "If Now() + PTO >
// TCP_RTO_expiration(): PTO = TCP_RTO_expiration() - Now()"), and the RTO
// is re-armed from the probe (§7.3).
TEST_F(SenderTest, OneSegmentOut_PtoPastRto_ProbeAtRtoInsteadOfTimeout) {
  ToEstablishedWithRtt(Duration::Millis(150));
  ASSERT_EQ(conn->rto(), Duration::Millis(450));
  Write("one small segment");
  ASSERT_THAT(Poll(), SizeIs(1));
  const Instant sent = now();
  EXPECT_EQ(conn->NextDeadline(), sent + Duration::Millis(450));
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(0)), PayloadLenIs(17))));
  EXPECT_EQ(conn->stats().loss_probes, 1u);
  EXPECT_EQ(conn->stats().timeouts, 0u);
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Millis(450));
  // Unanswered, the RTO follows.
  EXPECT_THAT(FireNext(), ElementsAre(SeqIs(L(0))));
  EXPECT_EQ(conn->stats().timeouts, 1u);
  EXPECT_EQ(conn->stats().loss_probes, 1u);
}

// ---- 3. RFC 8985 §7.3: the probe sends new data if it can ----

TEST_F(SenderTest, TailUnackedWithFinQueued_ProbeSendsNewDataAndFin) {
  ToEstablished(/*full_options=*/true);
  constexpr uint32_t m = 1448;
  conn->SetNoDelay(true);
  Write(std::string(11 * m, 'n'));
  conn->Shutdown();
  ASSERT_THAT(Poll(), SizeIs(10));  // cwnd-limited: segment 10 and FIN wait
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(10 * m)), PayloadLenIs(m),
                                            FlagsAre(kAck | kPsh | kFin))));
  EXPECT_EQ(conn->stats().loss_probes, 1u);
  EXPECT_EQ(conn->stats().retransmits, 0u);
}

TEST_F(SenderTest, TailUnackedWithFinQueued_ProbeSendsNewDataUpToWindow) {
  ToEstablished(/*full_options=*/true);
  constexpr uint32_t m = 1448;
  conn->SetNoDelay(true);
  Write(std::string(12 * m, 'n'));
  conn->Shutdown();
  ASSERT_THAT(Poll(), SizeIs(10));
  // One new full segment, no FIN yet: more data sits before it.
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(10 * m)), PayloadLenIs(m),
                                            FlagsAre(kAck))));
}

// Nothing new left to send (the FIN went with the last segment): the
// probe is the last segment again, FIN included.
TEST_F(SenderTest, TailUnackedFinSent_ProbeResendsLastSegmentWithFin) {
  ToEstablished(/*full_options=*/true);
  constexpr uint32_t m = 1448;
  conn->SetNoDelay(true);
  Write(std::string(3 * m, 'w'));
  conn->Shutdown();
  ASSERT_THAT(Poll(), SizeIs(3));
  EXPECT_THAT(FireNext(), ElementsAre(AllOf(SeqIs(L(2 * m)), PayloadLenIs(m),
                                            FlagsAre(kAck | kFin))));
  EXPECT_EQ(conn->stats().loss_probes, 1u);
}

// ---- 4. RFC 7323 §3.2: TSopt "SHOULD be sent in an <RST> segment" ----
// Our RSTs carry no ACK bit, so TSecr is zero ("If the ACK bit is not set
// in the outgoing TCP header, the sender of that segment SHOULD set the
// TSecr field to zero").

TEST_F(SenderTest, TimestampsOn_CloseWithUnreadData_RstCarriesTimestamp) {
  ToEstablished(/*full_options=*/true);
  Recv(TsSeg(779, "unread"));
  Advance(Duration::Millis(5));
  conn->Close();
  EXPECT_THAT(PollOne(),
              AllOf(FlagsAre(kRst), SeqIs(L(0)), HasTimestamp(), TsEcrIs(0u)));
  EXPECT_EQ(out.segs[0].h.options.timestamp->tsval, Ts());
}

TEST_F(SenderTest, TimestampsOn_Abort_RstCarriesTimestamp) {
  ToEstablished(/*full_options=*/true);
  conn->Abort();
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kRst), HasTimestamp(), TsEcrIs(0u)));
}

TEST_F(SenderTest, TimestampsOn_LingerZeroClose_RstCarriesTimestamp) {
  ToEstablished(/*full_options=*/true);
  conn->SetLingerZero(true);
  conn->Close();
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kRst), HasTimestamp()));
}

TEST_F(SenderTest, TimestampsOn_DataAfterClose_RstCarriesTimestamp) {
  ToEstablished(/*full_options=*/true);
  conn->Close();
  ASSERT_THAT(PollOne(), FlagsAre(kAck | kFin));
  Recv(TsSeg(779, "late"));
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kRst), SeqIs(L(1)), HasTimestamp()));
}

TEST_F(SenderTest, TimestampsOn_SynReceivedBadAck_RstCarriesTimestamp) {
  ToSynReceived(/*full_options=*/true);
  SegSpec bad{.ack = L(500)};
  bad.options.timestamp = TcpTimestamp{778, Ts()};
  Recv(bad);
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kRst), SeqIs(L(500)), HasTimestamp()));
}

TEST_F(SenderTest, TimestampsNotNegotiated_Rst_NoTimestamp) {
  ToEstablished(/*full_options=*/false);
  conn->Abort();
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kRst), NoTimestamp()));
}

// In SYN-SENT nothing is negotiated yet: the RST for a bad SYN,ACK has none.
TEST_F(SenderTest, SynSent_UnacceptableAck_RstWithoutTimestamp) {
  ToSynSent();
  SegSpec bad{.flags = TcpFlag::kSyn | kAck,
              .seq = SeqNum(kRemoteIss),
              .ack = SeqNum(kLocalIss + 100)};
  bad.options = PeerSynOptions(/*full=*/true);
  Recv(bad);
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kRst), NoTimestamp()));
}

// ---- 5. TS.Recent only from a segment whose ACK is acceptable ----

// A blind in-window segment ACKing data never sent (SEG.ACK > SND.MAX)
// with a TSval far ahead: dropped with an ACK (RFC 9293 §3.10.7.4 fifth)
// and, like Linux, TS.Recent stays (RFC 7323 §4.3 leaves it open), so the
// next legitimate segment still passes PAWS.
TEST_F(SenderTest, Established_BlindAckOfUnsentData_TsRecentKept) {
  ToEstablished(/*full_options=*/true);
  const uint32_t recent = conn->ts_recent();
  SegSpec blind = TsSeg(recent + 0x40000000u);
  blind.ack = L(100000);
  Recv(blind);
  EXPECT_EQ(drops[DropReason::kTcpBadAck], 1u);
  EXPECT_EQ(conn->ts_recent(), recent);
  EXPECT_THAT(PollOne(), AllOf(FlagsAre(kAck), AckIs(R(0))));
  Recv(TsSeg(recent + 1, "legit"));
  EXPECT_EQ(drops[DropReason::kTcpPawsReject], 0u);
  EXPECT_EQ(conn->rcv_nxt(), R(5));
  EXPECT_EQ(conn->ts_recent(), recent + 1);
}

// The same for an ACK too old to be acceptable (RFC 5961 §5.2).
TEST_F(SenderTest, Established_BlindAckTooOld_TsRecentKept) {
  ToEstablished(/*full_options=*/true);
  const uint32_t recent = conn->ts_recent();
  SegSpec blind = TsSeg(recent + 0x40000000u);
  blind.ack = L(0) - 20'000'000u;
  Recv(blind);
  EXPECT_EQ(drops[DropReason::kTcpBadAck], 1u);
  EXPECT_EQ(conn->ts_recent(), recent);
  Recv(TsSeg(recent + 1, "legit"));
  EXPECT_EQ(drops[DropReason::kTcpPawsReject], 0u);
  EXPECT_EQ(conn->rcv_nxt(), R(5));
}

}  // namespace
}  // namespace skiff::testing
