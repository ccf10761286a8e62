#include "stack/observe/snapshot.h"

#include "stack/sockets/listener.h"
#include "stack/stack_core.h"
#include "stack/tcp/connection.h"

namespace skiff {
namespace {

// Appends the rows [start, start + max_rows) of a walk and counts them all.
template <typename Row>
class Pager {
 public:
  Pager(const SnapshotRequest& req, std::vector<Row>* rows, uint64_t* total)
      : req_(req), rows_(rows), total_(total) {}
  // True if the row with the next index is to be filled.
  bool Wants() {
    const uint64_t i = (*total_)++;
    return i >= req_.start && rows_->size() < req_.max_rows;
  }

 private:
  const SnapshotRequest& req_;
  std::vector<Row>* rows_;
  uint64_t* total_;
};

}  // namespace

void Snapshot::Reserve(uint32_t max_rows) {
  arp.reserve(max_rows);
  listeners.reserve(max_rows);
  connections.reserve(max_rows);
}

void Snapshot::Clear() {
  counters = StackCounters();
  arp.clear();
  listeners.clear();
  connections.clear();
  total = 0;
  start = 0;
  tcp_connections = 0;
  buffer_chunks_in_use = buffer_chunks_high_water = 0;
  buffer_pool_exhausted = 0;
  app_requests.reset();
  app_live.reset();
}

ConnectionRow MakeConnectionRow(const Connection& c) {
  ConnectionRow r;
  r.state = c.state();
  r.tuple = c.tuple();
  if (c.rtt().has_sample()) {
    r.srtt_us = c.rtt().srtt().micros();
    r.rttvar_us = c.rtt().rttvar().micros();
  }
  r.rto_us = c.rto().micros();
  r.mss = c.effective_mss();
  r.cwnd = c.cwnd();
  r.ssthresh = c.ssthresh();
  r.snd_wnd = c.snd_wnd();
  r.rcv_wnd = c.rcv_wnd();
  r.bytes_in_flight = c.snd_nxt() - c.snd_una();
  const TcpConnStats st = c.stats();
  r.retransmits = st.retransmits;
  r.send_queue = c.send_queued();
  r.recv_queue = c.recv_queued();
  r.bytes_in = st.bytes_in;
  r.bytes_out = st.bytes_out;
  r.segs_in = st.segs_in;
  r.segs_out = st.segs_out;
  return r;
}

void TakeSnapshot(const StackCore& stack, const SnapshotRequest& req,
                  Instant now, Snapshot* out) {
  out->Clear();
  out->kind = req.kind;
  out->start = req.start;
  switch (req.kind) {
    case SnapshotKind::kCounters:
      out->counters = stack.counters();
      out->total = 1;
      out->tcp_connections = stack.tcp().connection_count();
      out->buffer_chunks_in_use = stack.tcp().buffer_pool().in_use();
      out->buffer_chunks_high_water = stack.tcp().buffer_pool().high_water();
      out->buffer_pool_exhausted = stack.tcp().buffer_pool().exhausted();
      return;
    case SnapshotKind::kArp: {
      Pager<ArpRow> pager(req, &out->arp, &out->total);
      stack.arp().ForEachEntry([&](Ipv4Address ip, MacAddress mac,
                                   bool resolved, size_t parked,
                                   Instant deadline) {
        if (!pager.Wants()) return;
        out->arp.push_back({.ip = ip,
                            .mac = mac,
                            .resolved = resolved,
                            .parked = static_cast<uint32_t>(parked),
                            .deadline_ms = (deadline - now).millis()});
      });
      return;
    }
    case SnapshotKind::kListeners: {
      Pager<ListenerRow> pager(req, &out->listeners, &out->total);
      stack.tcp().VisitListeners([&](const Listener& l) {
        if (!pager.Wants()) return;
        out->listeners.push_back(
            {.port = l.port,
             .backlog = l.backlog,
             .syn_queue = l.syn_queue,
             .accept_queue = static_cast<uint32_t>(l.accept_queue.size())});
      });
      return;
    }
    case SnapshotKind::kConnections: {
      Pager<ConnectionRow> pager(req, &out->connections, &out->total);
      stack.tcp().VisitConnections([&](const Connection& c) {
        if (pager.Wants()) out->connections.push_back(MakeConnectionRow(c));
      });
      return;
    }
  }
}

}  // namespace skiff
