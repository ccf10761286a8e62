#include "stack/observe/mailbox.h"

#include <algorithm>

namespace skiff {

SnapshotMailbox::SnapshotMailbox(uint32_t max_rows) : max_rows_(max_rows) {
  reply_.Reserve(max_rows);
}

void SnapshotMailbox::Serve(const StackCore& stack, Instant now) {
  uint8_t expected = kRequested;
  // Acquire: the asker's request_ written before its release store.
  if (!state_.compare_exchange_strong(expected, kFilling,
                                      std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
    return;  // cancelled by a timed-out asker
  }
  TakeSnapshot(stack, request_, now, &reply_);
  if (app_gauges_ && request_.kind == SnapshotKind::kCounters) {
    app_gauges_(&reply_);
  }
  state_.store(kDone, std::memory_order_release);
}

bool SnapshotMailbox::WaitDone(absl::FunctionRef<bool()> keep_waiting) {
  while (state_.load(std::memory_order_acquire) != kDone) {
    if (!keep_waiting()) return false;
  }
  return true;
}

SnapshotMailbox::AskResult SnapshotMailbox::Ask(
    const SnapshotRequest& req, Snapshot* out,
    absl::FunctionRef<bool()> keep_waiting) {
  std::lock_guard<std::mutex> lock(askers_);
  // A reply (or a fill in progress) left by an asker that timed out.
  if (state_.load(std::memory_order_acquire) != kIdle) {
    if (!WaitDone(keep_waiting)) return AskResult::kTimeout;
    state_.store(kIdle, std::memory_order_relaxed);
  }
  request_ = req;
  request_.max_rows = std::min(req.max_rows, max_rows_);
  state_.store(kRequested, std::memory_order_release);
  if (!WaitDone(keep_waiting)) {
    uint8_t expected = kRequested;
    if (state_.compare_exchange_strong(expected, kIdle,
                                       std::memory_order_relaxed)) {
      return AskResult::kTimeout;  // the lcore never saw it
    }
    if (expected != kDone) return AskResult::kTimeout;  // still filling
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  *out = reply_;  // vectors copy; out's own capacity is reused
  state_.store(kIdle, std::memory_order_release);
  return AskResult::kOk;
}

}  // namespace skiff
