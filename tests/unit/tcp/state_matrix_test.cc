// The RFC 9293 §3.10.7 state × event matrix: every state, every kind of
// arriving segment, at every sequence position, against the outcome the
// RFC (with RFC 5961's modifications) prescribes.
//
// The expected outcome of a cell is computed by Rfc9293(), a direct
// transcription of §3.10.7's numbered steps (each branch names its step),
// written independently of stack/tcp/tcp_input.cc; the cell's name spells
// out state, segment, position and outcome, so `--gtest_list_tests` prints
// the table. Every cell starts from a fresh connection, so neither the
// per-connection invalid_ack_interval nor the RFC 5961 §7 limit interferes.
//
// Sequence positions are relative to the receive window skiff advertised:
// the peer offers no window scaling and skiff's receive buffer is 256 KiB,
// so RCV.WND = 65,535 (what the last ACK announced, §3.3.1, §3.8.6), not
// the free buffer:
//   Old        SEG.SEQ = RCV.NXT - 1 (a retransmitted FIN, a keepalive
//              probe; a SYN,FIN there straddles RCV.NXT)
//   LeftEdge   SEG.SEQ = RCV.NXT
//   InWindow   SEG.SEQ = RCV.NXT + RCV.WND / 2
//   RightEdge  SEG.SEQ = RCV.NXT + RCV.WND - 1 (the last acceptable)
//   Beyond     SEG.SEQ = RCV.NXT + RCV.WND
// The fifth step gets three more cells per state: a pure ACK at RCV.NXT
// acknowledging data never sent (AckUnsent), an old duplicate (AckDup) and
// one older than MAX.SND.WND (AckTooOld, RFC 5961 §5.2).
// In SYN-SENT the segment's ACK field is what is checked (§3.10.7.3
// first): AckBelow (= ISS), AckOk (= SND.NXT), AckAbove (> SND.NXT); kinds
// without ACK have one cell. CLOSED has no sequence space: one cell per kind.
// LISTEN belongs to the listener in TcpLayer; its row is in
// tests/unit/stack/listen_matrix_test.cc.
//
// Segment kinds: SYN, SYN-ACK, ACK, data (1 byte, ACK+PSH), FIN, FIN-ACK,
// RST, RST-ACK, SYN-FIN; every ACK field is SND.NXT (acknowledges all we
// sent; in SYN-SENT it varies as above).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tests/unit/tcp/tcp_harness.h"

namespace skiff::testing {
namespace {

using ::testing::ElementsAre;

constexpr uint8_t kSyn = TcpFlag::kSyn;
constexpr uint8_t kAck = TcpFlag::kAck;
constexpr uint8_t kFin = TcpFlag::kFin;
constexpr uint8_t kRst = TcpFlag::kRst;
constexpr uint8_t kPsh = TcpFlag::kPsh;

constexpr uint32_t kWnd = 65535;  // RCV.WND skiff advertised

// SYN-RECEIVED comes in two rows: §3.10.7.4 treats a passively opened one
// (from LISTEN) and an actively opened one (simultaneous open) apart.
enum class St {
  kClosed,
  kSynSent,
  kSynRcvdPassive,
  kSynRcvdActive,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};
enum class Kind {
  kSyn,
  kSynAck,
  kAck,
  kData,
  kFin,
  kFinAck,
  kRst,
  kRstAck,
  kSynFin
};
enum class Pos {
  kNone,
  kOld,
  kLeftEdge,
  kInWindow,
  kRightEdge,
  kBeyond,
  kAckBelow,
  kAckOk,
  kAckAbove,
  // A pure ACK at RCV.NXT whose ACK field is what is tested (fifth step):
  kAckUnsent,  // SEG.ACK = SND.NXT + 1000: acknowledges data never sent
  kAckDup,     // SEG.ACK = SND.UNA - 1: old, within MAX.SND.WND
  kAckTooOld,  // SEG.ACK = SND.UNA - MAX.SND.WND - 1 (RFC 5961 §5.2)
};
// What leaves at the next poll.
enum class Out {
  kNothing,       // dropped, ignored, or absorbed without a reply
  kAck,           // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  kChallengeAck,  // the same, counted as an RFC 5961 challenge ACK
  kDelayedAck,    // nothing now, an ACK when the delayed-ACK timer fires
  kSynAck,        // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
  kRst,           // the §3.10.7.1 reply to the segment
};

struct Expect {
  Out out = Out::kNothing;
  TcpState state = TcpState::kClosed;
  ConnectionError error = ConnectionError::kNone;
  uint32_t rcv_advance = 0;  // how far RCV.NXT moves
  std::string step;          // the RFC step the cell checks
};

struct Cell {
  St st;
  Kind kind;
  Pos pos;
};
std::string CellName(const Cell& c);
void PrintTo(const Cell& c, std::ostream* os) { *os << CellName(c); }

const char* StName(St s) {
  switch (s) {
    case St::kClosed:
      return "Closed";
    case St::kSynSent:
      return "SynSent";
    case St::kSynRcvdPassive:
      return "SynRcvdPassive";
    case St::kSynRcvdActive:
      return "SynRcvdActive";
    case St::kEstablished:
      return "Established";
    case St::kFinWait1:
      return "FinWait1";
    case St::kFinWait2:
      return "FinWait2";
    case St::kCloseWait:
      return "CloseWait";
    case St::kClosing:
      return "Closing";
    case St::kLastAck:
      return "LastAck";
    case St::kTimeWait:
      return "TimeWait";
  }
  return "?";
}
const char* KindName(Kind k) {
  switch (k) {
    case Kind::kSyn:
      return "Syn";
    case Kind::kSynAck:
      return "SynAck";
    case Kind::kAck:
      return "Ack";
    case Kind::kData:
      return "Data";
    case Kind::kFin:
      return "Fin";
    case Kind::kFinAck:
      return "FinAck";
    case Kind::kRst:
      return "Rst";
    case Kind::kRstAck:
      return "RstAck";
    case Kind::kSynFin:
      return "SynFin";
  }
  return "?";
}
const char* PosName(Pos p) {
  switch (p) {
    case Pos::kNone:
      return "Any";
    case Pos::kOld:
      return "Old";
    case Pos::kLeftEdge:
      return "LeftEdge";
    case Pos::kInWindow:
      return "InWindow";
    case Pos::kRightEdge:
      return "RightEdge";
    case Pos::kBeyond:
      return "Beyond";
    case Pos::kAckBelow:
      return "AckBelow";
    case Pos::kAckOk:
      return "AckOk";
    case Pos::kAckAbove:
      return "AckAbove";
    case Pos::kAckUnsent:
      return "AckUnsent";
    case Pos::kAckDup:
      return "AckDup";
    case Pos::kAckTooOld:
      return "AckTooOld";
  }
  return "?";
}
const char* OutName(Out o) {
  switch (o) {
    case Out::kNothing:
      return "Drop";
    case Out::kAck:
      return "Ack";
    case Out::kChallengeAck:
      return "ChallengeAck";
    case Out::kDelayedAck:
      return "DelayedAck";
    case Out::kSynAck:
      return "SynAck";
    case Out::kRst:
      return "Rst";
  }
  return "?";
}
const char* StateName(TcpState s) {
  switch (s) {
    case TcpState::kClosed:
      return "Closed";
    case TcpState::kListen:
      return "Listen";
    case TcpState::kSynSent:
      return "SynSent";
    case TcpState::kSynReceived:
      return "SynReceived";
    case TcpState::kEstablished:
      return "Established";
    case TcpState::kFinWait1:
      return "FinWait1";
    case TcpState::kFinWait2:
      return "FinWait2";
    case TcpState::kCloseWait:
      return "CloseWait";
    case TcpState::kClosing:
      return "Closing";
    case TcpState::kLastAck:
      return "LastAck";
    case TcpState::kTimeWait:
      return "TimeWait";
  }
  return "?";
}

TcpState StateOf(St s) {
  switch (s) {
    case St::kClosed:
      return TcpState::kClosed;
    case St::kSynSent:
      return TcpState::kSynSent;
    case St::kSynRcvdPassive:
    case St::kSynRcvdActive:
      return TcpState::kSynReceived;
    case St::kEstablished:
      return TcpState::kEstablished;
    case St::kFinWait1:
      return TcpState::kFinWait1;
    case St::kFinWait2:
      return TcpState::kFinWait2;
    case St::kCloseWait:
      return TcpState::kCloseWait;
    case St::kClosing:
      return TcpState::kClosing;
    case St::kLastAck:
      return TcpState::kLastAck;
    case St::kTimeWait:
      return TcpState::kTimeWait;
  }
  return TcpState::kClosed;
}

bool HasSyn(Kind k) {
  return k == Kind::kSyn || k == Kind::kSynAck || k == Kind::kSynFin;
}
bool HasFin(Kind k) {
  return k == Kind::kFin || k == Kind::kFinAck || k == Kind::kSynFin;
}
bool HasRst(Kind k) { return k == Kind::kRst || k == Kind::kRstAck; }
bool HasAck(Kind k) {
  return k == Kind::kSynAck || k == Kind::kAck || k == Kind::kData ||
         k == Kind::kFinAck || k == Kind::kRstAck;
}
uint8_t FlagsOf(Kind k) {
  return static_cast<uint8_t>((HasSyn(k) ? kSyn : 0) | (HasFin(k) ? kFin : 0) |
                              (HasRst(k) ? kRst : 0) | (HasAck(k) ? kAck : 0) |
                              (k == Kind::kData ? kPsh : 0));
}
// SEG.SEQ - RCV.NXT for a position in a synchronized state.
int64_t Offset(Pos p) {
  switch (p) {
    case Pos::kOld:
      return -1;
    case Pos::kInWindow:
      return kWnd / 2;
    case Pos::kRightEdge:
      return kWnd - 1;
    case Pos::kBeyond:
      return kWnd;
    default:
      return 0;
  }
}

Expect Want(Out out, TcpState state, std::string step, uint32_t rcv_advance = 0,
            ConnectionError error = ConnectionError::kNone) {
  return {out, state, error, rcv_advance, std::move(step)};
}

// §3.10.7.1 CLOSED.
Expect ClosedRow(Kind k) {
  if (HasRst(k)) {
    return Want(Out::kNothing, TcpState::kClosed,
                "3.10.7.1: an incoming RST is discarded");
  }
  return Want(Out::kRst, TcpState::kClosed,
              "3.10.7.1: anything but a RST draws a RST");
}

// §3.10.7.3 SYN-SENT.
Expect SynSentRow(Kind k, Pos p) {
  const TcpState s = TcpState::kSynSent;
  if (HasAck(k) && p != Pos::kAckOk) {
    if (HasRst(k)) {
      return Want(Out::kNothing, s,
                  "3.10.7.3 first: unacceptable ACK with RST: drop");
    }
    return Want(Out::kRst, s,
                "3.10.7.3 first: SEG.ACK =< ISS or > SND.NXT: "
                "<SEQ=SEG.ACK><CTL=RST>");
  }
  if (HasRst(k)) {
    if (HasAck(k)) {
      return Want(Out::kNothing, TcpState::kClosed,
                  "3.10.7.3 second: RST with acceptable ACK: "
                  "connection refused",
                  0, ConnectionError::kRefused);
    }
    return Want(Out::kNothing, s, "3.10.7.3 second: RST without ACK: drop");
  }
  if (HasSyn(k)) {
    if (HasAck(k)) {
      return Want(Out::kAck, TcpState::kEstablished,
                  "3.10.7.3 fourth: SYN,ACK of our SYN: ESTABLISHED, ACK");
    }
    return Want(Out::kSynAck, TcpState::kSynReceived,
                "3.10.7.3 fourth: SYN: simultaneous open, SYN-RECEIVED, "
                "SYN,ACK (other controls queued)");
  }
  return Want(Out::kNothing, s, "3.10.7.3 fifth: neither SYN nor RST: drop");
}

// The state the fifth step (ACK of everything we sent) leads to, and
// whether processing stops there.
TcpState AfterAck(St st, bool* stop) {
  *stop = false;
  switch (st) {
    case St::kSynRcvdPassive:
    case St::kSynRcvdActive:
      return TcpState::kEstablished;  // "enter ESTABLISHED and continue"
    case St::kFinWait1:
      return TcpState::kFinWait2;  // "our FIN is now acknowledged"
    case St::kClosing:
      // "enter the TIME-WAIT state". skiff stops here, as in LAST-ACK; the
      // RFC goes on to the eighth step, which only a FIN past the peer's
      // FIN (the one that led to CLOSING) could reach: no peer sends one.
      *stop = true;
      return TcpState::kTimeWait;
    case St::kLastAck:
      *stop = true;  // "delete the TCB, enter CLOSED, and return"
      return TcpState::kClosed;
    default:
      return StateOf(st);
  }
}

// §3.10.7.4, SYN-RECEIVED and the synchronized states.
Expect SynchronizedRow(St st, Kind k, Pos p) {
  const TcpState s0 = StateOf(st);
  const bool passive = st == St::kSynRcvdPassive;
  const bool syn_rcvd = passive || st == St::kSynRcvdActive;
  const int64_t off = Offset(p);
  const int64_t len =
      (HasSyn(k) ? 1 : 0) + (HasFin(k) ? 1 : 0) + (k == Kind::kData ? 1 : 0);
  // A plain SYN at IRS repeats the SYN of this connection: our SYN,ACK
  // (the "acknowledgment" of the first step in SYN-RECEIVED) goes again
  // (§3.5 Figure 8's recovery needs it).
  if (syn_rcvd && k == Kind::kSyn && p == Pos::kOld) {
    return Want(Out::kSynAck, s0,
                "3.10.7.4 first (SYN-RECEIVED): duplicate SYN: SYN,ACK again");
  }
  // §3.5 Figure 7: the peer's SYN,ACK <SEQ=IRS><ACK=ISS+1> completes a
  // simultaneous open.
  if (st == St::kSynRcvdActive && k == Kind::kSynAck && p == Pos::kOld) {
    return Want(Out::kNothing, TcpState::kEstablished,
                "3.5 Fig. 7 / 3.10.7.4 fifth: simultaneous open's SYN,ACK: "
                "ESTABLISHED");
  }
  // Fourth step, RFC 5961 §4.2: in the synchronized states (an actively
  // opened SYN-RECEIVED is handled as they are) a SYN is challenged
  // "irrespective of the sequence number".
  if (HasSyn(k) && !HasRst(k) && !passive) {
    return Want(Out::kChallengeAck, s0,
                "3.10.7.4 fourth / RFC 5961 4.2: SYN at any SEQ: challenge "
                "ACK");
  }
  // First step: the acceptability table against RCV.WND.
  const bool first_in = off >= 0 && off < kWnd;
  const bool last_in = off + len - 1 >= 0 && off + len - 1 < kWnd;
  const bool acceptable = len == 0 ? first_in : (first_in || last_in);
  if (!acceptable) {
    if (HasRst(k)) {
      return Want(Out::kNothing, s0,
                  "3.10.7.4 first / RFC 5961 3.2: RST outside RCV.WND: "
                  "silently dropped");
    }
    return Want(Out::kAck, s0,
                "3.10.7.4 first: unacceptable: <SEQ=SND.NXT><ACK=RCV.NXT>"
                "<CTL=ACK>, drop");
  }
  // Trimming: of a SYN,FIN at RCV.NXT - 1 only the FIN is new.
  const bool syn_left = HasSyn(k) && off >= 0;
  const int64_t at = off < 0 ? 0 : off;
  // Second step: RST (RFC 5961 §3.2).
  if (HasRst(k)) {
    if (at != 0) {
      return Want(Out::kChallengeAck, s0,
                  "3.10.7.4 second / RFC 5961 3.2: RST in window, not at "
                  "RCV.NXT: challenge ACK");
    }
    ConnectionError e = ConnectionError::kReset;
    if (st == St::kSynRcvdActive) e = ConnectionError::kRefused;
    if (st == St::kClosing || st == St::kLastAck || st == St::kTimeWait) {
      e = ConnectionError::kNone;
    }
    return Want(Out::kNothing, TcpState::kClosed,
                passive ? "3.10.7.4 second: RST at RCV.NXT: back to LISTEN"
                        : "3.10.7.4 second: RST at RCV.NXT: CLOSED",
                0, e);
  }
  // Fourth step for a passively opened SYN-RECEIVED.
  if (syn_left) {
    return Want(Out::kNothing, TcpState::kClosed,
                "3.10.7.4 fourth: SYN in passive SYN-RECEIVED: back to "
                "LISTEN",
                0, ConnectionError::kReset);
  }
  // Fifth step.
  if (!HasAck(k)) {
    return Want(Out::kNothing, s0, "3.10.7.4 fifth: ACK bit off: drop");
  }
  if (p == Pos::kAckUnsent || p == Pos::kAckDup || p == Pos::kAckTooOld) {
    if (syn_rcvd) {
      return Want(Out::kRst, s0,
                  "3.10.7.4 fifth (SYN-RECEIVED): not SND.UNA < SEG.ACK =< "
                  "SND.NXT: <SEQ=SEG.ACK><CTL=RST>");
    }
    if (p == Pos::kAckUnsent) {
      return Want(Out::kAck, s0,
                  "3.10.7.4 fifth: SEG.ACK > SND.NXT: send an ACK, drop");
    }
    if (p == Pos::kAckTooOld) {
      return Want(Out::kChallengeAck, s0,
                  "3.10.7.4 fifth / RFC 5961 5.2: SEG.ACK < SND.UNA - "
                  "MAX.SND.WND: challenge ACK, drop");
    }
    return Want(Out::kNothing, s0,
                "3.10.7.4 fifth: duplicate ACK (SEG.ACK =< SND.UNA): ignored");
  }
  bool stop = false;
  const TcpState s1 = AfterAck(st, &stop);
  if (stop) {
    return Want(Out::kNothing, s1,
                s1 == TcpState::kClosed
                    ? "3.10.7.4 fifth (LAST-ACK): our FIN acked: CLOSED"
                    : "3.10.7.4 fifth (CLOSING): our FIN acked: TIME-WAIT");
  }
  const bool text_ok = s1 == TcpState::kEstablished ||
                       s1 == TcpState::kFinWait1 || s1 == TcpState::kFinWait2;
  // Seventh step: text.
  if (k == Kind::kData) {
    if (!text_ok) {
      return Want(Out::kNothing, s1,
                  "3.10.7.4 seventh: text after the peer's FIN is ignored");
    }
    if (at == 0) {
      return Want(Out::kDelayedAck, s1,
                  "3.10.7.4 seventh: text at RCV.NXT accepted, ACK may be "
                  "delayed (RFC 1122 4.2.3.2)",
                  1);
    }
    return Want(Out::kAck, s1,
                "3.10.7.4 seventh: in-window text beyond RCV.NXT held, "
                "immediate duplicate ACK (RFC 5681 4.2)");
  }
  // Eighth step: FIN.
  if (HasFin(k)) {
    if (at != 0) {
      return Want(Out::kAck, s1,
                  "3.10.7.4 eighth: FIN beyond RCV.NXT held, ACK");
    }
    TcpState s2 = s1;
    if (s1 == TcpState::kEstablished) s2 = TcpState::kCloseWait;
    if (s1 == TcpState::kFinWait2) s2 = TcpState::kTimeWait;
    return Want(Out::kAck, s2,
                "3.10.7.4 eighth: FIN at RCV.NXT: advance RCV.NXT, ACK it", 1);
  }
  return Want(Out::kNothing, s1,
              s1 == s0 ? "3.10.7.4 fifth: acceptable ACK, nothing to answer"
                       : "3.10.7.4 fifth: the ACK moves the state");
}

Expect Rfc9293(const Cell& c) {
  switch (c.st) {
    case St::kClosed:
      return ClosedRow(c.kind);
    case St::kSynSent:
      return SynSentRow(c.kind, c.pos);
    default:
      return SynchronizedRow(c.st, c.kind, c.pos);
  }
}

std::string CellName(const Cell& c) {
  const Expect e = Rfc9293(c);
  std::string n = std::string(StName(c.st)) + "_" + KindName(c.kind) + "_" +
                  PosName(c.pos) + "_" + OutName(e.out);
  if (e.state != StateOf(c.st)) n += std::string("_To") + StateName(e.state);
  return n;
}

std::vector<Cell> AllCells() {
  const Kind kinds[] = {Kind::kSyn,  Kind::kSynAck, Kind::kAck,
                        Kind::kData, Kind::kFin,    Kind::kFinAck,
                        Kind::kRst,  Kind::kRstAck, Kind::kSynFin};
  std::vector<Cell> v;
  for (Kind k : kinds) v.push_back({St::kClosed, k, Pos::kNone});
  for (Kind k : kinds) {
    if (!HasAck(k)) {
      v.push_back({St::kSynSent, k, Pos::kNone});
      continue;
    }
    for (Pos p : {Pos::kAckBelow, Pos::kAckOk, Pos::kAckAbove}) {
      v.push_back({St::kSynSent, k, p});
    }
  }
  const St synced[] = {
      St::kSynRcvdPassive, St::kSynRcvdActive, St::kEstablished,
      St::kFinWait1,       St::kFinWait2,      St::kCloseWait,
      St::kClosing,        St::kLastAck,       St::kTimeWait};
  for (St st : synced) {
    for (Kind k : kinds) {
      for (Pos p : {Pos::kOld, Pos::kLeftEdge, Pos::kInWindow, Pos::kRightEdge,
                    Pos::kBeyond}) {
        v.push_back({st, k, p});
      }
    }
    for (Pos p : {Pos::kAckUnsent, Pos::kAckDup, Pos::kAckTooOld}) {
      v.push_back({st, Kind::kAck, p});
    }
  }
  return v;
}

class StateMatrix : public TcpTest, public ::testing::WithParamInterface<Cell> {
 protected:
  StateMatrix() { cfg.recv_buffer_size = 256 * 1024; }

  void Setup(St st) {
    switch (st) {
      case St::kClosed:
        Make();
        return;
      case St::kSynSent:
        ToSynSent();
        return;
      case St::kSynRcvdPassive:
        ToSynReceived();
        return;
      case St::kSynRcvdActive:
        ToSynSent();
        Recv({.flags = kSyn,
              .seq = SeqNum(kRemoteIss),
              .options = PeerSynOptions(false)});
        ASSERT_EQ(conn->state(), TcpState::kSynReceived);
        PollOne();  // our SYN,ACK
        return;
      case St::kEstablished:
        ToEstablished();
        return;
      case St::kFinWait1:
        ToFinWait1();
        return;
      case St::kFinWait2:
        ToFinWait2();
        return;
      case St::kCloseWait:
        ToCloseWait();
        return;
      case St::kClosing:
        ToClosing();
        return;
      case St::kLastAck:
        ToLastAck();
        return;
      case St::kTimeWait:
        ToTimeWait();
        return;
    }
  }

  SegSpec Segment(const Cell& c) const {
    SegSpec s{.flags = FlagsOf(c.kind)};
    if (c.kind == Kind::kData) s.payload = "x";
    switch (c.st) {
      case St::kClosed:
        s.seq = R(0);
        s.ack = L(0);
        break;
      case St::kSynSent:
        s.seq = SeqNum(kRemoteIss);
        s.ack = c.pos == Pos::kAckBelow   ? SeqNum(kLocalIss)
                : c.pos == Pos::kAckAbove ? L(1)
                                          : L(0);
        if (HasSyn(c.kind)) s.options = PeerSynOptions(false);
        break;
      default:
        s.seq = conn->rcv_nxt() + static_cast<uint32_t>(Offset(c.pos));
        s.ack = conn->snd_nxt();
        if (c.pos == Pos::kAckUnsent) s.ack = conn->snd_nxt() + 1000;
        if (c.pos == Pos::kAckDup) s.ack = conn->snd_una() - 1;
        // MAX.SND.WND is the peer's 65,535 (every segment offers it).
        if (c.pos == Pos::kAckTooOld) s.ack = conn->snd_una() - 65536;
        break;
    }
    return s;
  }

  // The §3.10.7.1 reply: <SEQ=SEG.ACK><CTL=RST> if ACK is on, else
  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. A RST carries no data, no
  // options and a zero window (nothing is offered to a peer being reset).
  // A connection that never had a 4-tuple (the CLOSED row) leaves the ports
  // zero for the layer to fill.
  Seg RstFor(const SegSpec& s, St st) const {
    const Ports ports = st == St::kClosed ? Ports{0, 0} : kOut;
    if (s.flags & kAck) {
      return {.ports = ports,
              .seq = s.ack,
              .ack = SeqNum(0),  // not meaningful without ACK; zero
              .flags = kRst,
              .window = 0,
              .payload = "",
              .options = kNoOptions};
    }
    const uint32_t len = static_cast<uint32_t>(s.payload.size()) +
                         ((s.flags & kSyn) ? 1 : 0) +
                         ((s.flags & kFin) ? 1 : 0);
    return {.ports = ports,
            .seq = SeqNum(0),
            .ack = s.seq + len,
            .flags = kRst | kAck,
            .window = 0,
            .payload = "",
            .options = kNoOptions};
  }

  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the full window (RCV.WND), no
  // options: the peer offered none.
  Seg AckNow() const {
    return {.ports = kOut,
            .seq = conn->snd_nxt(),
            .ack = conn->rcv_nxt(),
            .flags = kAck,
            .window = uint16_t{kWnd},
            .payload = "",
            .options = kNoOptions};
  }

  // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, offering our MSS only (the
  // peer's SYN carried MSS alone, RFC 7323 §1.3, RFC 2018 §2).
  Seg SynAckNow() const {
    return {.ports = kOut,
            .seq = SeqNum(kLocalIss),
            .ack = conn->rcv_nxt(),
            .flags = kSyn | kAck,
            .window = uint16_t{kWnd},
            .payload = "",
            .options = Opts{.mss = 1460,
                            .wscale = std::nullopt,
                            .sack_ok = false,
                            .ts = std::nullopt,
                            .sack = kNoSack}};
  }
};

TEST_P(StateMatrix, Rfc9293) {
  const Cell c = GetParam();
  const Expect e = Rfc9293(c);
  SCOPED_TRACE("RFC 9293 §" + e.step);
  Setup(c.st);
  if (HasFatalFailure()) return;
  const SegSpec seg = Segment(c);
  const SeqNum rcv_nxt0 = conn->rcv_nxt();
  const uint32_t challenges0 = conn->stats().challenge_acks;
  Recv(seg);
  EXPECT_EQ(conn->state(), e.state)
      << TcpStateName(conn->state()) << " want " << TcpStateName(e.state);
  EXPECT_EQ(conn->error(), e.error) << ConnectionErrorName(conn->error());
  if (c.st != St::kClosed && c.st != St::kSynSent) {
    EXPECT_EQ(conn->rcv_nxt(), rcv_nxt0 + e.rcv_advance);
  }
  EXPECT_EQ(conn->stats().challenge_acks - challenges0,
            e.out == Out::kChallengeAck ? 1u : 0u);
  std::vector<Sent> got = Poll();
  switch (e.out) {
    case Out::kNothing:
      EXPECT_THAT(got, ::testing::IsEmpty());
      break;
    case Out::kDelayedAck:
      EXPECT_THAT(got, ::testing::IsEmpty());
      EXPECT_LE(conn->NextDeadline(), now() + cfg.delayed_ack_timeout);
      got = FireNext();
      EXPECT_THAT(got, ElementsAre(IsSegment(AckNow())));
      break;
    case Out::kAck:
    case Out::kChallengeAck:
      EXPECT_THAT(got, ElementsAre(IsSegment(AckNow())));
      break;
    case Out::kSynAck:
      EXPECT_THAT(got, ElementsAre(IsSegment(SynAckNow())));
      break;
    case Out::kRst:
      EXPECT_THAT(got, ElementsAre(IsSegment(RstFor(seg, c.st))));
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, StateMatrix, ::testing::ValuesIn(AllCells()),
                         [](const ::testing::TestParamInfo<Cell>& info) {
                           return CellName(info.param);
                         });

}  // namespace
}  // namespace skiff::testing
