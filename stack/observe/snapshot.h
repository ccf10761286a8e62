// What an operator can ask a running stack (DPDK telemetry's /skiff/*
// commands, skiff-stat): plain values copied out of one StackCore. A snapshot
// is taken on the lcore that owns the StackCore, between two loop turns
// (mailbox.h carries the request there and the copy back); nothing here
// is read from another thread.
//
// Rows are bounded per request (`max_rows`, paged by `start`) so that one
// reply fits DPDK telemetry's 16 KiB message.
#ifndef SKIFF_STACK_OBSERVE_SNAPSHOT_H_
#define SKIFF_STACK_OBSERVE_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "stack/base/clock.h"
#include "stack/counters.h"
#include "stack/tcp/tcp_types.h"
#include "stack/wire/addr.h"

namespace skiff {

class StackCore;

enum class SnapshotKind : uint8_t {
  kCounters,     // StackCounters (drops included)
  kArp,          // the neighbour table
  kListeners,    // listening ports and their queue depths
  kConnections,  // per-connection state, what `ss -tin` shows
};

struct SnapshotRequest {
  SnapshotKind kind = SnapshotKind::kCounters;
  uint32_t start = 0;      // first row (tables only)
  uint32_t max_rows = 32;  // rows at most (tables only)
};

struct ArpRow {
  Ipv4Address ip;
  MacAddress mac;
  bool resolved = false;
  uint32_t parked = 0;      // packets waiting for the answer
  int64_t deadline_ms = 0;  // from the snapshot: ages out / next try
};

struct ListenerRow {
  uint16_t port = 0;
  uint32_t backlog = 0;       // bound of each queue
  uint32_t syn_queue = 0;     // in SYN-RECEIVED
  uint32_t accept_queue = 0;  // established, not accepted yet
};

struct ConnectionRow {
  TcpState state = TcpState::kClosed;
  FourTuple tuple;
  int64_t srtt_us = 0;  // 0 until the first RTT sample
  int64_t rttvar_us = 0;
  int64_t rto_us = 0;
  uint32_t mss = 0;
  uint32_t cwnd = 0;  // bytes
  uint32_t ssthresh = 0;
  uint32_t snd_wnd = 0;
  uint32_t rcv_wnd = 0;
  uint32_t bytes_in_flight = 0;  // snd_nxt - snd_una
  uint32_t retransmits = 0;
  uint64_t send_queue = 0;  // bytes queued, not yet acknowledged
  uint64_t recv_queue = 0;  // bytes received, not yet read
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t segs_in = 0;
  uint64_t segs_out = 0;
};

struct Snapshot {
  SnapshotKind kind = SnapshotKind::kCounters;
  StackCounters counters;
  std::vector<ArpRow> arp;
  std::vector<ListenerRow> listeners;
  std::vector<ConnectionRow> connections;
  uint64_t total = 0;  // rows of this kind in the stack (paging)
  uint32_t start = 0;  // index of the first row returned

  // kCounters also carries the gauges the --stats_interval and status
  // (SIGUSR1) lines show beside the counters.
  uint64_t tcp_connections = 0;  // in the TCP table, TIME-WAIT included
  uint32_t buffer_chunks_in_use = 0;
  uint32_t buffer_chunks_high_water = 0;
  uint64_t buffer_pool_exhausted = 0;
  // The application's own, filled on the lcore by the mailbox's app hook
  // (SnapshotMailbox::SetAppGauges); nullopt without one.
  std::optional<uint64_t> app_requests;  // requests answered so far
  std::optional<uint64_t> app_live;      // connections the app holds

  // Reserves room for `max_rows` rows of each table, so that answering a
  // request of that size does not allocate on the lcore.
  void Reserve(uint32_t max_rows);
  void Clear();
};

// Fills `out` from `stack` as `req` asks (its other tables left empty).
// Runs on the owning lcore; O(rows in the stack) for tables (a skip to
// `start`), so only on request, never per packet.
// `now` is the time of the stack's latest turn (ARP deadlines are given
// relative to it).
void TakeSnapshot(const StackCore& stack, const SnapshotRequest& req,
                  Instant now, Snapshot* out);

// The pieces, for callers and tests that have the parts and not a StackCore.
ConnectionRow MakeConnectionRow(const class Connection& c);

}  // namespace skiff

#endif  // SKIFF_STACK_OBSERVE_SNAPSHOT_H_
