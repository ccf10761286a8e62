// Congestion control behind a small interface: NewReno (RFC 5681 + 6582)
// here, CUBIC (RFC 9438) in cubic.h. The connection detects losses (three
// duplicate ACKs, or RACK, rack.h) and moves the bytes; the controller owns
// cwnd/ssthresh and says when to retransmit. Time comes in as values (the
// core never reads a clock).
#ifndef SKIFF_STACK_TCP_CONGESTION_H_
#define SKIFF_STACK_TCP_CONGESTION_H_

#include <cstdint>
#include <string_view>

#include "stack/base/clock.h"
#include "stack/wire/seq.h"

namespace skiff {

// Which controller a connection uses (TcpConfig::congestion_control,
// Connection::SetCongestionControl).
enum class CongestionAlgorithm : uint8_t {
  kNewReno,  // RFC 5681 + RFC 6582
  kCubic,    // RFC 9438
};
std::string_view CongestionAlgorithmName(CongestionAlgorithm a);

// An ACK that advanced snd_una.
struct AckSample {
  SeqNum ack;       // the new snd_una
  uint32_t acked;   // bytes it acknowledged
  uint32_t flight;  // bytes outstanding before it
  Instant now;
  Duration srtt;  // RFC 6298 SRTT, zero before the first sample
};

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  // Start of a connection (or a new MSS): the initial window, RFC 5681 §3.1.
  virtual void Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) = 0;
  virtual uint32_t cwnd() const = 0;
  virtual uint32_t ssthresh() const = 0;
  virtual bool in_recovery() const = 0;
  // An ACK advanced snd_una. Returns true when the first unacknowledged
  // segment must be resent now (a partial ACK in fast recovery).
  virtual bool OnAck(const AckSample& a) = 0;
  // The `count`-th duplicate ACK (RFC 5681 §2). Returns true when the first
  // unacknowledged segment must be fast-retransmitted now (count == 3, no
  // SACK-based loss detection).
  virtual bool OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max,
                        uint32_t flight, Instant now) = 0;
  // Loss detected another way (RACK, RFC 8985 §6.2) with `dupacks`
  // duplicate ACKs so far. Returns true when fast recovery starts (not
  // within the episode of an earlier reduction, RFC 6582 §3.2 step 2).
  virtual bool OnLossDetected(SeqNum snd_una, SeqNum snd_max, uint32_t flight,
                              uint32_t dupacks, Instant now) = 0;
  // The retransmission timer expired (RFC 5681 §3.1 eq. 4).
  virtual void OnRetransmitTimeout(SeqNum snd_max, uint32_t flight) = 0;
  // A lost segment was resent in recovery, using the room the last
  // duplicate ACK made instead of new data (packet conservation).
  virtual void OnRecoveryRetransmit(uint32_t /*bytes*/) {}
};

// What NewReno and CUBIC share: slow start (RFC 5681 §3.1), fast recovery
// with the RFC 6582 NewReno modification (CUBIC keeps the standard fast
// recovery, RFC 9438 §4.6), the loss window after a timeout. A subclass
// says how far the window falls on a congestion event and how it grows in
// congestion avoidance.
class RenoFamily : public CongestionControl {
 public:
  void Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) override;
  uint32_t cwnd() const final { return cwnd_; }
  uint32_t ssthresh() const final { return ssthresh_; }
  bool in_recovery() const final { return in_recovery_; }
  bool OnAck(const AckSample& a) final;
  bool OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max, uint32_t flight,
                Instant now) final;
  bool OnLossDetected(SeqNum snd_una, SeqNum snd_max, uint32_t flight,
                      uint32_t dupacks, Instant now) final;
  void OnRetransmitTimeout(SeqNum snd_max, uint32_t flight) final;
  void OnRecoveryRetransmit(uint32_t bytes) final;
  // Clock-free forms for the controllers that do not look at time
  // (NewReno; tests).
  bool OnAck(SeqNum ack, uint32_t acked, uint32_t flight) {
    return OnAck(AckSample{ack, acked, flight, Instant(), Duration::Zero()});
  }
  bool OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max,
                uint32_t flight) {
    return OnDupAck(count, snd_una, snd_max, flight, Instant());
  }
  // Takes over another controller's window and recovery state (a change of
  // algorithm on a live connection keeps cwnd and ssthresh, as Linux's
  // TCP_CONGESTION does).
  void AdoptWindow(const RenoFamily& from);

 protected:
  // A congestion event (loss detected, not a timeout): the new ssthresh.
  virtual uint32_t OnCongestionEvent(uint32_t flight, Instant now) = 0;
  // After a timeout: the new ssthresh (cwnd becomes the loss window).
  virtual uint32_t OnTimeoutReduce(uint32_t flight) = 0;
  // An ACK of `a.acked` bytes in congestion avoidance (cwnd >= ssthresh).
  virtual void GrowInAvoidance(const AckSample& a) = 0;
  // Recovery ended with a full ACK (RFC 6582 §3.2 step 3).
  virtual void OnRecoveryExit() {}

  uint32_t mss_ = 536;
  uint32_t cwnd_ = 0;
  uint32_t ssthresh_ = UINT32_MAX;  // RFC 5681 §3.1: arbitrarily high at first

 private:
  bool EnterRecovery(SeqNum snd_una, SeqNum snd_max, uint32_t flight,
                     uint32_t inflation_segments, Instant now);

  SeqNum recover_;  // RFC 6582 §3.2 "recover"
  bool in_recovery_ = false;
};

// RFC 5681 slow start / congestion avoidance / fast retransmit, with the
// RFC 6582 NewReno modification of fast recovery (partial ACKs).
class NewReno final : public RenoFamily {
 public:
  void Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) override;

 protected:
  uint32_t OnCongestionEvent(uint32_t flight, Instant now) override;
  uint32_t OnTimeoutReduce(uint32_t flight) override;
  void GrowInAvoidance(const AckSample& a) override;
  void OnRecoveryExit() override { bytes_acked_ = 0; }

 private:
  uint32_t bytes_acked_ = 0;  // congestion-avoidance accumulator
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CONGESTION_H_
