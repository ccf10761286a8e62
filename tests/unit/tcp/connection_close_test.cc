// RFC 9293 §3.10.7 rows for the closing states: FIN-WAIT-1/2, CLOSING,
// TIME-WAIT, CLOSE-WAIT, LAST-ACK; Close, Shutdown and Abort; RSTs and SYNs
// in every synchronized state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "stack/tcp/connection.h"
#include "tests/unit/tcp/connection_segments.h"
#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(TcpTest, Established_Fin_CloseWaitAndEof) {
  ToEstablished();
  Recv({.flags = kAck | kFin, .payload = "bye"});
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
  EXPECT_THAT(PollOne(), AckIs(R(4)));
  EXPECT_EQ(ReadAll(), "bye");
  char b[4];
  EXPECT_EQ(conn->Recv(ByteSpan(reinterpret_cast<std::byte*>(b), 4)).error(),
            RecvError::kEof);
}

TEST_F(TcpTest, Established_FinBeyondHole_WaitsForData) {
  ToEstablished();
  Recv({.flags = kAck | kFin, .seq = R(3), .payload = "def"});
  EXPECT_EQ(conn->state(), TcpState::kEstablished);
  EXPECT_THAT(PollOne(), AckIs(R(0)));
  Recv({.seq = R(0), .payload = "abc"});
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
  EXPECT_THAT(PollOne(), AckIs(R(7)));
  EXPECT_EQ(ReadAll(), "abcdef");
}

TEST_F(TcpTest, Established_Abort_SendsRst) {
  ToEstablished();
  Write("pending");
  conn->Abort();
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kAborted);
  EXPECT_THAT(PollOne(), IsSegment(Rst(L(0))));
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, Established_CloseWithUnreadData_SendsRst) {
  ToEstablished();
  Recv({.seq = R(0), .payload = "unread"});
  conn->Close();
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_THAT(PollOne(), FlagsAre(kRst));
}

TEST_F(TcpTest, Established_Shutdown_DataThenFin) {
  ToEstablished();
  Write("last words");
  conn->Shutdown();
  EXPECT_EQ(conn->state(), TcpState::kFinWait1);
  EXPECT_EQ(conn->Send(AsBytes("x", 1)).error(), SendError::kClosed);
  EXPECT_THAT(PollOne(),
              IsSegment(Data(L(0), "last words", kAck | kPsh | kFin)));
}

TEST_F(TcpTest, FinWait1_DataAfterClose_Rst) {
  ToFinWait1();
  conn->Close();
  Recv({.seq = R(0), .ack = L(0), .payload = "late"});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_THAT(PollOne(), IsSegment(Rst(L(1))));
}

TEST_F(TcpTest, CloseWait_DataAfterFin_Ignored) {
  ToCloseWait();
  Recv({.seq = R(1), .payload = "after fin"});
  EXPECT_EQ(conn->recv_queued(), 0u);
  EXPECT_EQ(conn->state(), TcpState::kCloseWait);
}

TEST_F(TcpTest, FinWait1_AckOfFin_FinWait2) {
  ToFinWait1();
  Recv({.ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
}

TEST_F(TcpTest, FinWait1_NoAck_FinRetransmitted) {
  ToFinWait1();
  EXPECT_THAT(FireNext(), ElementsAre(IsSegment(Fin(L(0), R(0)))));
  Recv({.ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
}

TEST_F(TcpTest, FinWait1_Fin_ClosingThenTimeWait) {
  ToClosing();  // simultaneous close
  Recv({.seq = R(1), .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
}

TEST_F(TcpTest, FinWait1_FinAckingOurFin_TimeWait) {
  ToFinWait1();
  Recv({.flags = kFin | kAck, .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
}

TEST_F(TcpTest, FinWait1_Data_Delivered) {
  ToFinWait1();
  Recv({.seq = R(0), .ack = L(0), .payload = "more"});
  EXPECT_EQ(ReadAll(), "more");
}

TEST_F(TcpTest, FinWait2_Data_Delivered) {
  ToFinWait2();
  Recv({.seq = R(0), .ack = L(1), .payload = "still"});
  EXPECT_EQ(ReadAll(), "still");
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
}

TEST_F(TcpTest, FinWait2_Fin_TimeWaitThenClosedAfter2Msl) {
  ToFinWait2();
  Recv({.flags = kFin | kAck, .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(60));
  Advance(Duration::Seconds(60) - Duration::Nanos(1));
  Poll();
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
  Advance(Duration::Nanos(1));
  EXPECT_THAT(Poll(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_FALSE(conn->buffers_allocated());
}

TEST_F(TcpTest, FinWait2_AfterClose_TimesOut) {
  ToFinWait2();
  conn->Close();
  EXPECT_FALSE(Due());  // the timer is armed by the Close, no turn needed
  EXPECT_EQ(conn->NextDeadline(), now() + cfg.fin_wait2_timeout);
  ExpectNothing();
  EXPECT_THAT(FireNext(), IsEmpty());
  EXPECT_EQ(conn->state(), TcpState::kClosed);
}

TEST_F(TcpTest, FinWait1_ClosedThenFinAcked_FinWait2Bounded) {
  ToFinWait1();
  conn->Close();
  Recv({.ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kFinWait2);
  EXPECT_EQ(conn->NextDeadline(), now() + cfg.fin_wait2_timeout);
}

TEST_F(TcpTest, FinWait2_HalfCloseOnly_WaitsForPeer) {
  ToFinWait2();
  EXPECT_EQ(conn->NextDeadline(), Instant::Max());
  EXPECT_FALSE(Due());
}

TEST_F(TcpTest, TimeWait_NewerSyn_NewIncarnationAllowed) {
  ToTimeWait();
  EXPECT_TRUE(
      conn->AcceptsNewIncarnation(Repr({.flags = kSyn, .seq = R(100000)})));
  EXPECT_FALSE(conn->AcceptsNewIncarnation(Repr({.flags = kSyn, .seq = R(0)})));
  EXPECT_FALSE(conn->AcceptsNewIncarnation(
      Repr({.flags = kSyn | kAck, .seq = R(100000)})));
}

TEST_F(TcpTest, TimeWait_RetransmittedFin_AckedAndTimerRestarted) {
  ToTimeWait();
  Advance(Duration::Seconds(30));
  Recv({.flags = kFin | kAck, .seq = R(0), .ack = L(1)});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
  EXPECT_EQ(conn->NextDeadline(), now() + Duration::Seconds(60));
}

TEST_F(TcpTest, TimeWait_Rst_Closed) {
  ToTimeWait();
  Recv({.flags = kRst, .seq = R(1)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
}

TEST_F(TcpTest, CloseWait_Shutdown_LastAckThenClosed) {
  ToLastAck();
  Recv({.seq = R(1), .ack = L(1)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
  EXPECT_TRUE(conn->TakeEvents() & TcpEvent::kClosed);
}

TEST_F(TcpTest, CloseWait_SendStillWorks) {
  ToCloseWait();
  Write("reply");
  EXPECT_THAT(PollOne(), IsSegment({.ports = kOut,
                                    .seq = L(0),
                                    .ack = R(1),
                                    .flags = kAck | kPsh,
                                    .window = kWndAfterFin,
                                    .payload = "reply",
                                    .options = kNoOptions}));
}

TEST_F(TcpTest, LastAck_NoAck_FinRetransmitted) {
  ToLastAck();
  EXPECT_THAT(FireNext(),
              ElementsAre(IsSegment(Fin(L(0), R(1), kWndAfterFin))));
}

TEST_F(TcpTest, LastAck_Rst_Closed) {
  ToLastAck();
  Recv({.flags = kRst, .seq = R(1)});
  EXPECT_EQ(conn->state(), TcpState::kClosed);
  EXPECT_EQ(conn->error(), ConnectionError::kNone);
}

TEST_F(TcpTest, Closing_NoAck_FinRetransmitted) {
  ToClosing();
  EXPECT_THAT(FireNext(),
              ElementsAre(IsSegment(Fin(L(0), R(1), kWndAfterFin))));
}

TEST_F(TcpTest, TimeWait_SynInWindow_ChallengeAck) {
  ToTimeWait();
  Recv({.flags = kSyn, .seq = R(1)});
  EXPECT_THAT(PollOne(), IsSegment(PlainAck(L(1), R(1), kWndAfterFin)));
  EXPECT_EQ(conn->state(), TcpState::kTimeWait);
}

// RFC 9293 §3.10.7.4 second step, for every synchronized state: a RST at
// RCV.NXT ends the connection; "connection reset" where the application
// may still be waiting for data, silently otherwise.
TEST_F(TcpTest, SynchronizedStates_RstAtRcvNxt_Closed) {
  struct Row {
    const char* name;
    std::function<void()> setup;
    uint32_t rcv_off;
    ConnectionError error;
  };
  const Row rows[] = {
      {"FIN-WAIT-1", [this] { ToFinWait1(); }, 0, ConnectionError::kReset},
      {"FIN-WAIT-2", [this] { ToFinWait2(); }, 0, ConnectionError::kReset},
      {"CLOSE-WAIT", [this] { ToCloseWait(); }, 1, ConnectionError::kReset},
      {"CLOSING", [this] { ToClosing(); }, 1, ConnectionError::kNone},
      {"LAST-ACK", [this] { ToLastAck(); }, 1, ConnectionError::kNone},
      {"TIME-WAIT", [this] { ToTimeWait(); }, 1, ConnectionError::kNone},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    row.setup();
    Recv({.flags = kRst, .seq = R(row.rcv_off + 50)});  // in window
    EXPECT_NE(conn->state(), TcpState::kClosed);
    Advance(cfg.invalid_ack_interval);
    Recv({.flags = kRst, .seq = R(row.rcv_off)});
    EXPECT_EQ(conn->state(), TcpState::kClosed);
    EXPECT_EQ(conn->error(), row.error);
    EXPECT_FALSE(conn->buffers_allocated());
  }
}

// RFC 5961 §4: a SYN in any synchronized state earns a challenge ACK.
TEST_F(TcpTest, SynchronizedStates_Syn_ChallengeAck) {
  struct Row {
    const char* name;
    std::function<void()> setup;
    TcpState state;
  };
  const Row rows[] = {
      {"FIN-WAIT-1", [this] { ToFinWait1(); }, TcpState::kFinWait1},
      {"FIN-WAIT-2", [this] { ToFinWait2(); }, TcpState::kFinWait2},
      {"CLOSE-WAIT", [this] { ToCloseWait(); }, TcpState::kCloseWait},
      {"CLOSING", [this] { ToClosing(); }, TcpState::kClosing},
      {"LAST-ACK", [this] { ToLastAck(); }, TcpState::kLastAck},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    row.setup();
    Recv({.flags = kSyn, .seq = R(10)});
    EXPECT_THAT(PollOne(), FlagsAre(kAck));
    EXPECT_EQ(conn->state(), row.state);
    EXPECT_EQ(conn->stats().challenge_acks, 1u);
  }
}

}  // namespace
}  // namespace skiff::testing
