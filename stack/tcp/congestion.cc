#include "stack/tcp/congestion.h"

#include <algorithm>

namespace skiff {

std::string_view CongestionAlgorithmName(CongestionAlgorithm a) {
  switch (a) {
    case CongestionAlgorithm::kNewReno:
      return "newreno";
    case CongestionAlgorithm::kCubic:
      return "cubic";
  }
  return "?";
}

void RenoFamily::Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) {
  mss_ = mss;
  cwnd_ = mss * std::max<uint32_t>(initial_segments, 1);
  ssthresh_ = UINT32_MAX;
  recover_ = iss;  // RFC 6582 §3.2 step 1 initialization
  in_recovery_ = false;
}

void RenoFamily::AdoptWindow(const RenoFamily& from) {
  mss_ = from.mss_;
  cwnd_ = from.cwnd_;
  ssthresh_ = from.ssthresh_;
  recover_ = from.recover_;
  in_recovery_ = from.in_recovery_;
}

bool RenoFamily::OnAck(const AckSample& a) {
  if (in_recovery_) {
    if (a.ack >= recover_) {
      // RFC 6582 §3.2 step 3, full acknowledgment: deflate the window,
      // option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
      const uint32_t remaining = a.flight > a.acked ? a.flight - a.acked : 0;
      cwnd_ = std::min(ssthresh_, std::max(remaining, mss_) + mss_);
      in_recovery_ = false;
      OnRecoveryExit();
      return false;
    }
    // Step 4, partial acknowledgment: resend the next hole, deflate by the
    // amount acked, add back one SMSS if at least one SMSS was acked.
    cwnd_ = cwnd_ > a.acked ? cwnd_ - a.acked : 0;
    if (a.acked >= mss_) cwnd_ += mss_;
    cwnd_ = std::max(cwnd_, mss_);
    return true;
  }
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(a.acked, mss_);  // RFC 5681 §3.1 slow start, eq. 2
  } else {
    GrowInAvoidance(a);
  }
  return false;
}

bool RenoFamily::OnDupAck(uint32_t count, SeqNum snd_una, SeqNum snd_max,
                          uint32_t flight, Instant now) {
  if (in_recovery_) {
    cwnd_ += mss_;  // RFC 5681 §3.2 step 4: inflate per extra dupack
    return false;
  }
  if (count != 3) return false;
  return EnterRecovery(snd_una, snd_max, flight, 3, now);
}

bool RenoFamily::OnLossDetected(SeqNum snd_una, SeqNum snd_max, uint32_t flight,
                                uint32_t dupacks, Instant now) {
  if (in_recovery_) return false;
  return EnterRecovery(snd_una, snd_max, flight, std::min<uint32_t>(dupacks, 3),
                       now);
}

// RFC 6582 §3.2 step 2: only if the cumulative ACK covers more than
// `recover` (no second reduction for losses from one window, e.g. the
// dupacks that follow a timeout's go-back-N). Step 3 (RFC 5681 §3.2 step
// 3): cwnd = ssthresh plus the segments that have left the network.
bool RenoFamily::EnterRecovery(SeqNum snd_una, SeqNum snd_max, uint32_t flight,
                               uint32_t inflation_segments, Instant now) {
  if (!(snd_una > recover_)) return false;
  ssthresh_ = OnCongestionEvent(flight, now);
  recover_ = snd_max;
  cwnd_ = ssthresh_ + inflation_segments * mss_;
  in_recovery_ = true;
  return true;
}

void RenoFamily::OnRetransmitTimeout(SeqNum snd_max, uint32_t flight) {
  ssthresh_ = OnTimeoutReduce(flight);
  cwnd_ = mss_;        // loss window, RFC 5681 §3.1
  recover_ = snd_max;  // RFC 6582 §3.2 step 1 on timeout
  in_recovery_ = false;
}

void RenoFamily::OnRecoveryRetransmit(uint32_t bytes) {
  if (!in_recovery_) return;
  cwnd_ = cwnd_ > bytes + mss_ ? cwnd_ - bytes : mss_;
}

void NewReno::Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) {
  RenoFamily::Reset(mss, initial_segments, iss);
  bytes_acked_ = 0;
}

// RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS).
uint32_t NewReno::OnCongestionEvent(uint32_t flight, Instant /*now*/) {
  return std::max(flight / 2, 2 * mss_);
}

uint32_t NewReno::OnTimeoutReduce(uint32_t flight) {
  bytes_acked_ = 0;
  return std::max(flight / 2, 2 * mss_);
}

// RFC 5681 §3.1 congestion avoidance: one SMSS per cwnd of bytes acked
// (the byte-counting variant the RFC recommends).
void NewReno::GrowInAvoidance(const AckSample& a) {
  bytes_acked_ += a.acked;
  if (bytes_acked_ >= cwnd_) {
    bytes_acked_ -= cwnd_;
    cwnd_ += mss_;
  }
}

}  // namespace skiff
