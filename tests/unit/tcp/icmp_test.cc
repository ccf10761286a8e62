// ICMP errors at the connection (stack/tcp/tcp_icmp.cc): which quotes are
// in flight (RFC 5927 §4.1), hard and soft errors by state (RFC 1122
// §4.2.3.9, RFC 5927 §5.2), and "fragmentation needed" lowering the MSS
// and resending the flight (RFC 1191 §6.4).
#include "stack/wire/icmp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;

constexpr uint8_t kUnreach = IcmpType::kDestUnreachable;
constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kSyn = TcpFlag::kSyn;

class TcpIcmpTest : public TcpTest {
 protected:
  IcmpReaction Unreachable(uint8_t code) {
    return conn->OnIcmpError(kUnreach, code, 0);
  }
  IcmpReaction FragNeeded(uint16_t mtu) {
    return conn->OnIcmpError(kUnreach, IcmpUnreachCode::kFragNeeded, mtu);
  }
  // Runs the retransmission timer until the connection gives up.
  void TimeOut() {
    for (int i = 0; i < 40 && !conn->closed(); ++i) FireNext();
    ASSERT_TRUE(conn->closed());
  }
};

// ---------------------------------------------------------------- quotes

TEST_F(TcpIcmpTest, SynSent_OnlyTheSynQuoteAcceptable) {
  Make();
  conn->Connect(tuple(), SeqNum(kLocalIss), now());
  EXPECT_FALSE(conn->IcmpSeqAcceptable(SeqNum(kLocalIss)));  // nothing sent
  PollOne();
  EXPECT_TRUE(conn->IcmpSeqAcceptable(SeqNum(kLocalIss)));
  EXPECT_FALSE(conn->IcmpSeqAcceptable(SeqNum(kLocalIss + 1)));
  EXPECT_FALSE(conn->IcmpSeqAcceptable(SeqNum(kLocalIss - 1)));
  EXPECT_FALSE(conn->IcmpSeqAcceptable(SeqNum(kLocalIss + 0x80000000u)));
}

TEST_F(TcpIcmpTest, Established_QuoteMustLieInSndUnaToSndNxt) {
  cfg.no_delay = true;
  ToEstablished();
  EXPECT_FALSE(conn->IcmpSeqAcceptable(L(0)));  // nothing in flight
  Write(std::string(3000, 'a'));
  Poll();
  Recv({.ack = L(1000)});
  EXPECT_FALSE(conn->IcmpSeqAcceptable(L(999)));  // acknowledged
  EXPECT_TRUE(conn->IcmpSeqAcceptable(L(1000)));  // SND.UNA
  EXPECT_TRUE(conn->IcmpSeqAcceptable(L(1460)));
  EXPECT_TRUE(conn->IcmpSeqAcceptable(L(2999)));
  EXPECT_FALSE(conn->IcmpSeqAcceptable(L(3000)));  // SND.NXT: not sent
  EXPECT_FALSE(conn->IcmpSeqAcceptable(L(100000)));
}

TEST_F(TcpIcmpTest, TimeWait_NothingAcceptable) {
  ToTimeWait();
  EXPECT_FALSE(conn->IcmpSeqAcceptable(L(0)));
  EXPECT_FALSE(conn->IcmpSeqAcceptable(L(1)));
}

// ---------------------------------------------------------------- SYN-SENT

TEST_F(TcpIcmpTest, SynSent_HardUnreachable_ConnectFailsUnreachable) {
  for (uint8_t code :
       {IcmpUnreachCode::kProtocol, IcmpUnreachCode::kPort,
        IcmpUnreachCode::kNetProhibited, IcmpUnreachCode::kHostProhibited,
        IcmpUnreachCode::kAdminProhibited}) {
    ToSynSent();
    conn->TakeEvents();
    EXPECT_EQ(Unreachable(code), IcmpReaction::kAborted) << int{code};
    EXPECT_EQ(conn->state(), TcpState::kClosed);
    EXPECT_EQ(conn->error(), ConnectionError::kUnreachable);
    EXPECT_EQ(conn->TakeEvents(), TcpEvent::kClosed | TcpEvent::kError);
    EXPECT_EQ(conn->NextDeadline(), Instant::Max());  // no SYN retries
    ExpectNothing();                                  // and no RST
  }
}

TEST_F(TcpIcmpTest, SynSent_HostUnreachable_SoftUntilTheConnectTimesOut) {
  cfg.max_syn_retries = 2;
  ToSynSent();
  conn->TakeEvents();
  EXPECT_EQ(Unreachable(IcmpUnreachCode::kHost), IcmpReaction::kSoftError);
  // RFC 1122 §4.2.3.9: MUST NOT abort; the SYN keeps being retried.
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_EQ(conn->TakeEvents(), 0);
  EXPECT_TRUE(conn->SoftErrorPending());
  EXPECT_THAT(FireNext(), ElementsAre(FlagsAre(kSyn)));
  EXPECT_THAT(FireNext(), ElementsAre(FlagsAre(kSyn)));
  FireNext();
  // ... and when it gives up, the soft error is what it reports.
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kUnreachable);
}

TEST_F(TcpIcmpTest, SynSent_NoIcmp_TimeoutStaysTimedOut) {
  cfg.max_syn_retries = 1;
  ToSynSent();
  TimeOut();
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
}

TEST_F(TcpIcmpTest, SynSent_TimeExceededAndNetUnreachable_Soft) {
  ToSynSent();
  EXPECT_EQ(conn->OnIcmpError(IcmpType::kTimeExceeded, 0, 0),
            IcmpReaction::kSoftError);
  EXPECT_EQ(Unreachable(IcmpUnreachCode::kNet), IcmpReaction::kSoftError);
  EXPECT_EQ(Unreachable(IcmpUnreachCode::kSourceRouteFailed),
            IcmpReaction::kSoftError);
  EXPECT_EQ(conn->state(), TcpState::kSynSent);
}

TEST_F(TcpIcmpTest, SynSent_SoftErrorWithRfc5461Workaround_Aborts) {
  cfg.abort_connect_on_soft_icmp = true;
  ToSynSent();
  EXPECT_EQ(Unreachable(IcmpUnreachCode::kHost), IcmpReaction::kAborted);
  EXPECT_EQ(conn->error(), ConnectionError::kUnreachable);
}

TEST_F(TcpIcmpTest, SynSent_SoftErrorThenSynAck_EstablishedNoError) {
  ToSynSent();
  Unreachable(IcmpUnreachCode::kHost);
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .options = PeerSynOptions(false)});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_FALSE(conn->SoftErrorPending());  // SND.UNA moved past the SYN
}

// ---------------------------------------------------------------- SYN-RECEIVED

TEST_F(TcpIcmpTest, SynReceived_HostUnreachable_HalfOpenFreedWithoutRst) {
  ToSynReceived();
  conn->TakeEvents();
  ASSERT_TRUE(conn->IcmpSeqAcceptable(SeqNum(kLocalIss)));
  EXPECT_EQ(Unreachable(IcmpUnreachCode::kHost), IcmpReaction::kAborted);
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kUnreachable);
  ExpectNothing();
}

TEST_F(TcpIcmpTest, SynReceived_TimeExceeded_Soft) {
  ToSynReceived();
  EXPECT_EQ(conn->OnIcmpError(IcmpType::kTimeExceeded, 0, 0),
            IcmpReaction::kSoftError);
  EXPECT_EQ(conn->state(), TcpState::kSynReceived);
}

// ---------------------------------------------------------------- synchronized

TEST_F(TcpIcmpTest, Established_PortUnreachable_SoftNothingChanges) {
  ToEstablished();
  Write("hello");
  PollOne();
  conn->TakeEvents();
  const Instant rto_at = conn->NextDeadline();
  // RFC 5927 §5.2: even a hard code does not reset a synchronized
  // connection.
  EXPECT_EQ(Unreachable(IcmpUnreachCode::kPort), IcmpReaction::kSoftError);
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_EQ(conn->TakeEvents(), 0);
  EXPECT_EQ(conn->NextDeadline(), rto_at);
  ExpectNothing();
  Recv({.ack = L(5)});  // and the data still gets through
  EXPECT_EQ(conn->snd_una(), L(5));
}

TEST_F(TcpIcmpTest, Established_SoftError_TimeoutReportsUnreachable) {
  cfg.max_data_retries = 2;
  ToEstablished();
  Write("hello");
  PollOne();
  Unreachable(IcmpUnreachCode::kHost);
  TimeOut();
  EXPECT_EQ(conn->error(), ConnectionError::kUnreachable);
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kError);
}

TEST_F(TcpIcmpTest, Established_SoftErrorThenProgress_TimeoutIsTimedOut) {
  cfg.max_data_retries = 2;
  ToEstablished();
  Write("hello");
  PollOne();
  Unreachable(IcmpUnreachCode::kHost);
  Recv({.ack = L(5)});  // something got through since: forget the error
  EXPECT_FALSE(conn->SoftErrorPending());
  Write("world");
  PollOne();
  TimeOut();
  EXPECT_EQ(conn->error(), ConnectionError::kTimedOut);
}

// ---------------------------------------------------------------- frag needed

TEST_F(TcpIcmpTest, Established_FragNeeded_MssLoweredAndFlightResent) {
  cfg.no_delay = true;  // every segment goes at once, short ones too
  ToEstablished();
  Write(std::string(4000, 'x'));
  EXPECT_THAT(Poll(), ElementsAre(PayloadLenIs(1460), PayloadLenIs(1460),
                                  PayloadLenIs(1080)));
  const uint32_t cwnd = conn->cwnd();
  const Instant rto_at = conn->NextDeadline();
  EXPECT_EQ(FragNeeded(1000), IcmpReaction::kMssLowered);
  EXPECT_EQ(conn->pmtu_mss(), 960);
  EXPECT_EQ(conn->effective_mss(), 960u);
  // RFC 1191 §6.4: the too-big segments are gone: resend from SND.UNA at
  // once, in segments of the new size, cwnd and the RTO untouched.
  EXPECT_TRUE(Due());
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(0)), PayloadLenIs(960)),
                                  AllOf(SeqIs(L(960)), PayloadLenIs(960)),
                                  AllOf(SeqIs(L(1920)), PayloadLenIs(960)),
                                  AllOf(SeqIs(L(2880)), PayloadLenIs(960)),
                                  AllOf(SeqIs(L(3840)), PayloadLenIs(160))));
  EXPECT_EQ(conn->cwnd(), cwnd);
  EXPECT_EQ(conn->NextDeadline(), rto_at);
  // New data is cut to the new size too.
  Recv({.ack = L(4000)});
  Write(std::string(2000, 'y'));
  EXPECT_THAT(Poll(), ElementsAre(AllOf(SeqIs(L(4000)), PayloadLenIs(960)),
                                  AllOf(SeqIs(L(4960)), PayloadLenIs(960)),
                                  AllOf(SeqIs(L(5920)), PayloadLenIs(80))));
}

TEST_F(TcpIcmpTest, Established_FragNeededWithTimestamps_OptionsFitToo) {
  ToEstablished(/*full_options=*/true);
  Write(std::string(3000, 'x'));
  Poll();
  EXPECT_EQ(FragNeeded(1000), IcmpReaction::kMssLowered);
  EXPECT_EQ(conn->effective_mss(), 948u);  // 960 - 12 for timestamps
  std::vector<Sent> v = Poll();
  ASSERT_FALSE(v.empty());
  EXPECT_THAT(v[0], AllOf(SeqIs(L(0)), PayloadLenIs(948), HasTimestamp()));
}

TEST_F(TcpIcmpTest, Established_FragNeededAgainSameMtu_NoSecondResend) {
  ToEstablished();
  Write(std::string(3000, 'x'));
  Poll();
  ASSERT_EQ(FragNeeded(1000), IcmpReaction::kMssLowered);
  EXPECT_EQ(Poll().size(), 4u);
  // One message per too-big segment (RFC 1191 §6.4): only the first acts.
  EXPECT_EQ(FragNeeded(1000), IcmpReaction::kIgnored);
  EXPECT_EQ(FragNeeded(1200), IcmpReaction::kIgnored);
  ExpectNothing();
}

TEST_F(TcpIcmpTest, Established_FragNeededNotLower_Ignored) {
  ToEstablished();
  Write("hello");
  PollOne();
  EXPECT_EQ(FragNeeded(1500), IcmpReaction::kIgnored);
  EXPECT_EQ(FragNeeded(9000), IcmpReaction::kIgnored);
  EXPECT_EQ(conn->effective_mss(), 1460u);
  ExpectNothing();
}

TEST_F(TcpIcmpTest, Established_FragNeededTinyMtu_FlooredAt536) {
  ToEstablished();
  Write(std::string(3000, 'x'));
  Poll();
  // RFC 5927 §7: a forged "MTU 68" cannot make 28-byte segments.
  EXPECT_EQ(FragNeeded(68), IcmpReaction::kMssLowered);
  EXPECT_EQ(conn->effective_mss(), 536u);
  EXPECT_EQ(Poll().front().payload.size(), 536u);
  EXPECT_EQ(FragNeeded(0), IcmpReaction::kIgnored);
}

TEST_F(TcpIcmpTest, Established_FragNeeded_ConfiguredFloor) {
  cfg.pmtu_min_mss = 1200;
  ToEstablished();
  Write(std::string(3000, 'x'));
  Poll();
  EXPECT_EQ(FragNeeded(576), IcmpReaction::kMssLowered);
  EXPECT_EQ(conn->effective_mss(), 1200u);
}

TEST_F(TcpIcmpTest, Established_FragNeededNothingInFlight_LowersOnly) {
  cfg.no_delay = true;
  ToEstablished();
  EXPECT_EQ(FragNeeded(1000), IcmpReaction::kMssLowered);
  ExpectNothing();
  Write(std::string(1500, 'x'));
  EXPECT_THAT(Poll(), ElementsAre(PayloadLenIs(960), PayloadLenIs(540)));
}

TEST_F(TcpIcmpTest, SynSent_FragNeeded_IgnoredTheSynCannotBeTooBig) {
  // Until the SYN-ACK names the peer's MSS it is 536 (RFC 9293 §3.7.1),
  // which is also the floor: a frag-needed quoting a SYN lowers nothing.
  ToSynSent();
  EXPECT_EQ(FragNeeded(1000), IcmpReaction::kIgnored);
  EXPECT_EQ(FragNeeded(300), IcmpReaction::kIgnored);
  ExpectNothing();
  Recv({.flags = kSyn | kAck,
        .seq = SeqNum(kRemoteIss),
        .ack = L(0),
        .options = PeerSynOptions(false)});
  EXPECT_EQ(conn->effective_mss(), 1460u);
}

}  // namespace
}  // namespace skiff::testing
