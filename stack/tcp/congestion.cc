#include "stack/tcp/congestion.h"

#include <algorithm>

namespace skiff {

void NewReno::Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) {
  mss_ = mss;
  cwnd_ = mss * std::max<uint32_t>(initial_segments, 1);
  ssthresh_ = UINT32_MAX;
  bytes_acked_ = 0;
  recover_ = iss;  // RFC 6582 §3.2 step 1 initialization
  in_recovery_ = false;
}

// RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS).
uint32_t NewReno::HalfFlight(uint32_t flight) const {
  return std::max(flight / 2, 2 * mss_);
}

bool NewReno::OnAck(SeqNum ack, uint32_t acked, uint32_t flight) {
  if (in_recovery_) {
    if (ack >= recover_) {
      // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window,
      // option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
      uint32_t remaining = flight > acked ? flight - acked : 0;
      cwnd_ = std::min(ssthresh_, std::max(remaining, mss_) + mss_);
      in_recovery_ = false;
      bytes_acked_ = 0;
      return false;
    }
    // Step 4, partial acknowledgment: resend the next hole, deflate by the
    // amount acked, add back one SMSS if at least one SMSS was acked.
    cwnd_ = cwnd_ > acked ? cwnd_ - acked : 0;
    if (acked >= mss_) cwnd_ += mss_;
    cwnd_ = std::max(cwnd_, mss_);
    return true;
  }
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, mss_);  // §3.1 slow start, eq. 2
  } else {
    // §3.1 congestion avoidance: one SMSS per cwnd of bytes acked (the
    // byte-counting variant the RFC recommends).
    bytes_acked_ += acked;
    if (bytes_acked_ >= cwnd_) {
      bytes_acked_ -= cwnd_;
      cwnd_ += mss_;
    }
  }
  return false;
}

bool NewReno::OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max,
                       uint32_t flight) {
  if (in_recovery_) {
    cwnd_ += mss_;  // RFC 5681 §3.2 step 4: inflate per extra dupack
    return false;
  }
  if (count != 3) return false;
  // RFC 6582 §3.2 step 2: only if the cumulative ACK covers more than
  // `recover` (no second reduction for losses from one window, e.g. the
  // dupacks that follow a timeout's go-back-N).
  if (!(snd_una > recover_)) return false;
  ssthresh_ = HalfFlight(flight);
  recover_ = snd_max;
  cwnd_ = ssthresh_ + 3 * mss_;  // §3.2 step 3
  in_recovery_ = true;
  return true;
}

void NewReno::OnRetransmitTimeout(SeqNum snd_max, uint32_t flight) {
  ssthresh_ = HalfFlight(flight);
  cwnd_ = mss_;  // loss window, §3.1
  bytes_acked_ = 0;
  recover_ = snd_max;  // RFC 6582 §3.2 step 1 on timeout
  in_recovery_ = false;
}

void NewReno::OnRecoveryRetransmit(uint32_t bytes) {
  if (!in_recovery_) return;
  cwnd_ = cwnd_ > bytes + mss_ ? cwnd_ - bytes : mss_;
}

}  // namespace skiff
