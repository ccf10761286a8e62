// A listening socket (step 1 of a TCP connection through sockets): a local
// port and no peer. It owns two bounded queues (RFC 9293 §3.10.7.2; the
// backlog of listen(2)): connections still in the handshake (the SYN queue,
// counted) and established ones the application has not accepted yet (the
// accept queue, in arrival order).
#ifndef SKIFF_STACK_SOCKETS_LISTENER_H_
#define SKIFF_STACK_SOCKETS_LISTENER_H_

#include <cstdint>
#include <deque>

#include "stack/base/clock.h"
#include "stack/base/slab.h"

namespace skiff {

struct Listener {
  uint16_t port = 0;
  uint32_t backlog = 128;  // bound for each queue
  uint32_t syn_queue = 0;  // spawned connections still in SYN-RECEIVED
  std::deque<SlabHandle> accept_queue;
  bool acceptable_pending = false;  // an OnAcceptable is due this turn
  // When the last SYN cookie went out: ACKs are checked as cookies only
  // while one sent since could still be valid (as Linux does), so that
  // stray ACKs cost no hash and get their RST as before.
  Instant last_cookie = Instant::FromNanos(INT64_MIN / 2);

  bool syn_queue_full() const { return syn_queue >= backlog; }
  bool accept_queue_full() const { return accept_queue.size() >= backlog; }
  // Removes a connection that ended before the application accepted it.
  void ForgetQueued(SlabHandle h) {
    for (auto it = accept_queue.begin(); it != accept_queue.end(); ++it) {
      if (*it == h) {
        accept_queue.erase(it);
        return;
      }
    }
  }
};

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_LISTENER_H_
