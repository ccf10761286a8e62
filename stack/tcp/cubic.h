// CUBIC congestion control, RFC 9438: after a congestion event the window
// follows W_cubic(t) = C·(t − K)³ + W_max (§4.2), never below what
// standard Reno would reach (the Reno-friendly W_est, §4.3), with the
// multiplicative decrease β_cubic = 0.7 (§4.6), fast convergence (§4.7)
// and K = 0 in the first congestion avoidance after a timeout (§4.8).
// Slow start and fast recovery are Reno's (RenoFamily). Windows are in
// bytes: the RFC's W (in segments) times the MSS. Time is the `now` the
// connection passes in; t − K and the cube are IEEE doubles (deterministic
// for a given build, no clock read).
//
// Not implemented: §4.9 spurious congestion events (the connection has no
// spurious-loss detection to undo with) and HyStart++ (§4.10, optional).
#ifndef SKIFF_STACK_TCP_CUBIC_H_
#define SKIFF_STACK_TCP_CUBIC_H_

#include <cstdint>

#include "stack/tcp/congestion.h"

namespace skiff {

class Cubic final : public RenoFamily {
 public:
  // RFC 9438 §5: C = 0.4 (segments per second³), β_cubic = 0.7.
  static constexpr double kC = 0.4;
  static constexpr uint32_t kBetaNum = 7, kBetaDen = 10;

  void Reset(uint32_t mss, uint32_t initial_segments, SeqNum iss) override;

  // The state of the current congestion avoidance stage (tests, stats).
  uint32_t w_max() const { return w_max_; }
  uint32_t w_est() const { return w_est_; }
  uint32_t cwnd_prior() const { return cwnd_prior_; }
  bool in_epoch() const { return epoch_ != Instant::Max(); }
  Instant epoch_start() const { return epoch_; }
  double k_seconds() const { return k_; }
  // §4.2 Figure 1, in bytes: W_max + C·MSS·(t − K)³, t seconds into the
  // stage, clamped to [0, UINT32_MAX].
  uint32_t WCubic(double t) const;

 protected:
  uint32_t OnCongestionEvent(uint32_t flight, Instant now) override;
  uint32_t OnTimeoutReduce(uint32_t flight) override;
  void GrowInAvoidance(const AckSample& a) override;

 private:
  void StartEpoch(Instant now);
  void GrowWest(uint32_t acked);

  // The 32-bit fields first: the first one sits in RenoFamily's tail
  // padding (64 bytes, not 72).
  uint32_t w_max_ = 0;              // W_max, bytes; 0 before any event
  uint32_t cwnd_prior_ = 0;         // cwnd before the last reduction
  uint32_t w_est_ = 0;              // §4.3 W_est, bytes
  uint32_t w_est_rem_ = 0;          // remainder of W_est's fraction
  uint32_t cwnd_rem_ = 0;           // remainder of cwnd's fraction
  Instant epoch_ = Instant::Max();  // t_epoch; Max: no stage started yet
  double k_ = 0;                    // K, seconds
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CUBIC_H_
