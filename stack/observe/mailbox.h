// SnapshotMailbox: how a telemetry read reaches one lcore's StackCore without a
// lock on its hot path.
//
// A StackCore is shared-nothing: only its lcore may read it. DPDK runs
// telemetry callbacks on its own threads (one per connected client), so a
// callback never touches a StackCore. Instead it asks the StackCore's mailbox:
//
//   telemetry thread (Ask)               owning lcore (Poll, once per turn)
//   ----------------------               ---------------------------------
//   lock askers_ (askers only)
//   write request_
//   state_ = kRequested  (release)  -->  state_ == kRequested? (relaxed load;
//                                          the only cost on an idle turn)
//                                        CAS kRequested -> kFilling (acquire)
//                                        TakeSnapshot into reply_
//   state_ == kDone?  (acquire)     <--  state_ = kDone  (release)
//   copy reply_, state_ = kIdle
//
// The reply buffer belongs to the mailbox, reserved up front, so the lcore
// does not allocate to answer. The asker waits a bounded time: if the
// lcore does not poll (busy in a long turn, stopped), Ask cancels its
// request (CAS kRequested -> kIdle) and answers kTimeout instead of hanging.
// If the lcore had already taken the request (kFilling), the reply is left
// for the next Ask to discard. Askers serialize on a mutex that the lcore
// never takes.
#ifndef SKIFF_STACK_OBSERVE_MAILBOX_H_
#define SKIFF_STACK_OBSERVE_MAILBOX_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

#include "absl/functional/function_ref.h"
#include "stack/base/clock.h"
#include "stack/observe/snapshot.h"

namespace skiff {

class SnapshotMailbox {
 public:
  // Replies hold at most `max_rows` table rows (requests are clamped).
  explicit SnapshotMailbox(uint32_t max_rows = 32);
  SnapshotMailbox(const SnapshotMailbox&) = delete;
  SnapshotMailbox& operator=(const SnapshotMailbox&) = delete;

  // Owning lcore, once per loop turn: answers a pending request.
  void Poll(const StackCore& stack, Instant now) {
    if (state_.load(std::memory_order_relaxed) == kRequested) [[unlikely]] {
      Serve(stack, now);
    }
  }

  enum class AskResult { kOk, kTimeout };
  // Any other thread: posts `req`, then calls `keep_waiting()` between
  // checks for the answer until it returns false (the caller's clock and
  // sleep: see drivers/dpdk/telemetry.cc). kOk: `*out` holds the reply.
  AskResult Ask(const SnapshotRequest& req, Snapshot* out,
                absl::FunctionRef<bool()> keep_waiting);

  uint32_t max_rows() const { return max_rows_; }

  // The application's gauges (Snapshot::app_requests, app_live), filled into
  // every kCounters reply on the owning lcore, right after the stack's: the
  // hook may read what only that lcore may (an HttpServer's counts). Set it
  // before the lcore starts polling.
  void SetAppGauges(std::function<void(Snapshot*)> fill) {
    app_gauges_ = std::move(fill);
  }

 private:
  enum State : uint8_t { kIdle, kRequested, kFilling, kDone };
  void Serve(const StackCore& stack, Instant now);
  // Waits for kDone; true if it came.
  bool WaitDone(absl::FunctionRef<bool()> keep_waiting);

  const uint32_t max_rows_;
  std::mutex askers_;
  std::atomic<uint8_t> state_{kIdle};
  SnapshotRequest request_;  // written by the asker in kIdle only
  Snapshot reply_;           // written by the lcore in kFilling only
  std::function<void(Snapshot*)> app_gauges_;  // called in kFilling only
};

}  // namespace skiff

#endif  // SKIFF_STACK_OBSERVE_MAILBOX_H_
