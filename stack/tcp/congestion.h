// Congestion control behind a small interface, so CUBIC (RFC 9438) can join
// NewReno later. The connection counts duplicate ACKs and moves the bytes;
// the controller owns cwnd/ssthresh and says when to retransmit.
#ifndef SKIFF_STACK_TCP_CONGESTION_H_
#define SKIFF_STACK_TCP_CONGESTION_H_

#include <cstdint>

#include "stack/wire/seq.h"

namespace skiff {

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  // Start of a connection (or a new MSS): the initial window, RFC 5681 §3.1.
  virtual void Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) = 0;
  virtual uint32_t cwnd() const = 0;
  virtual uint32_t ssthresh() const = 0;
  virtual bool in_recovery() const = 0;
  // An ACK advanced snd_una to `ack` by `acked` bytes, with `flight` bytes
  // outstanding before it. Returns true when the first unacknowledged
  // segment must be resent now (a partial ACK in fast recovery).
  virtual bool OnAck(SeqNum ack, uint32_t acked, uint32_t flight) = 0;
  // The `count`-th duplicate ACK (RFC 5681 §2). Returns true when the first
  // unacknowledged segment must be fast-retransmitted now.
  virtual bool OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max,
                        uint32_t flight) = 0;
  // The retransmission timer expired (RFC 5681 §3.1 eq. 4).
  virtual void OnRetransmitTimeout(SeqNum snd_max, uint32_t flight) = 0;
  // A SACK-identified hole was resent in recovery, using the room the last
  // duplicate ACK made instead of new data (packet conservation).
  virtual void OnRecoveryRetransmit(uint32_t /*bytes*/) {}
};

// RFC 5681 slow start / congestion avoidance / fast retransmit, with the
// RFC 6582 NewReno modification of fast recovery (partial ACKs).
class NewReno final : public CongestionControl {
 public:
  void Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) override;
  uint32_t cwnd() const override { return cwnd_; }
  uint32_t ssthresh() const override { return ssthresh_; }
  bool in_recovery() const override { return in_recovery_; }
  bool OnAck(SeqNum ack, uint32_t acked, uint32_t flight) override;
  bool OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max,
                uint32_t flight) override;
  void OnRetransmitTimeout(SeqNum snd_max, uint32_t flight) override;
  void OnRecoveryRetransmit(uint32_t bytes) override;

 private:
  uint32_t HalfFlight(uint32_t flight) const;

  uint32_t mss_ = 536;
  uint32_t cwnd_ = 0;
  uint32_t ssthresh_ = UINT32_MAX;  // §3.1: arbitrarily high at first
  uint32_t bytes_acked_ = 0;        // congestion-avoidance accumulator
  SeqNum recover_;                  // RFC 6582 §3.2 "recover"
  bool in_recovery_ = false;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CONGESTION_H_
