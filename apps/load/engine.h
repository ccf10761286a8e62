// LoadEngine: skiff-load's per-lcore generator on one StackCore, without EAL
// (the unit tests drive it over SimWire against a skiff server). It opens
// connections, sends requests, validates answers and counts every request
// exactly once: answered (requests_done, its latency recorded) or failed
// (one ErrorKind).
//
//   cps   closed loop: `concurrency` connections in flight, each one request
//         then closed (FIN or RST); open loop: `rate` new connections/s.
//   rps   `concurrency` keep-alive connections; closed loop: each sends its
//         next request when the answer arrives; open loop: `rate` requests/s
//         go to whichever connection is idle (queued when none is).
//   cc    `concurrency` connections held open, a request on each every
//         keepalive_interval; held() says how many are established.
//   bulk  `concurrency` connections moving bytes: HTTP GETs back to back on
//         keep-alive (download), or raw writes as fast as TCP takes them.
//
// One engine per StackCore and so per lcore; nothing is shared.
#ifndef SKIFF_APPS_LOAD_ENGINE_H_
#define SKIFF_APPS_LOAD_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "apps/http/response_parser.h"
#include "apps/load/load_config.h"
#include "apps/load/pacer.h"
#include "bench/harness/histogram.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"

namespace skiff::load {

// What one interval (or the whole run) looked like.
struct LoadSample {
  double t = 0;  // seconds since the start, at the end of the interval
  double seconds = 0;
  LoadCounters delta;
  uint64_t active = 0;  // sockets the engine holds
  uint64_t held = 0;    // ... of them established
  uint64_t retransmits = 0;
  uint64_t p50_ns = 0;
  uint64_t p99_ns = 0;
};

class LoadEngine final : public TcpEventHandler {
 public:
  LoadEngine(StackCore& stack, LoadConfig config);
  LoadEngine(const LoadEngine&) = delete;
  LoadEngine& operator=(const LoadEngine&) = delete;

  // Installs itself as the stack's handler; the run starts now.
  void Start(Instant now);
  // One loop turn: StackCore::Poll, timeouts, new connections and requests.
  void Poll(Instant now);
  // Stops starting requests (end of the run, or a signal); those in flight
  // get `drain` to finish, then every connection is closed.
  void Stop(Instant now);
  // Every connection is closed and accounted for.
  bool done() const { return stopping_ && conns_.empty(); }

  const LoadCounters& totals() const { return totals_; }
  // From Start to Stop (the end of the duration, the count, or a signal):
  // the window requests were started in, which rates are computed over.
  Duration run_time() const { return stop_time_ - start_; }
  const bench::Histogram& latency() const { return latency_; }
  // The current interval's latencies (TakeSample resets them): what
  // skiff-load merges across lcores before taking the sample.
  const bench::Histogram& interval_latency() const { return interval_; }
  size_t active() const { return conns_.size(); }
  size_t held() const { return held_; }
  const LoadConfig& config() const { return config_; }
  // The interval since the previous call (or Start): counters, latency
  // percentiles, retransmits. Resets the interval's histogram.
  LoadSample TakeSample(Instant now);

  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId s, uint8_t events) override;

 private:
  enum class Phase : uint8_t { kConnecting, kIdle, kBusy };
  struct Conn {
    Phase phase = Phase::kConnecting;
    bool pending_request = false;  // send one as soon as connected
    bool in_request = false;       // a request is counted in busy_
    Instant intended;              // latency origin of the current request
    uint32_t timer_seq = 0;        // which timeout entry is live
    size_t sent = 0;               // of the current request
    size_t raw_got = 0;            // raw: answer bytes so far
    size_t resp_bytes = 0;         // bytes of the current answer
    http::ResponseParser parser;
  };
  struct Timer {
    Instant at;
    SocketId s;
    uint32_t seq;
  };

  bool Running(Instant now) const;
  // One connection until the server first answers: that one resolves the
  // server (or gateway) by ARP, which parks only a few packets per
  // neighbour (ArpConfig::max_pending); a burst would lose SYNs there.
  bool MayOpen() const { return warmed_ || conns_.empty(); }
  uint32_t TargetConnections(Instant now) const;
  void Launch(Instant now);
  bool Open(Instant intended, bool with_request, Instant now);
  void StartRequest(SocketId s, Conn& c, Instant intended, Instant now);
  void Begin(SocketId s, Conn& c);
  void Flush(SocketId s, Conn& c);
  void FlushBulk(SocketId s);
  // False when the connection ended and was removed.
  bool Read(SocketId s, Conn& c);
  bool ReadHttp(SocketId s, Conn& c, std::string_view in);
  bool OnAnswered(SocketId s, Conn& c, bool keep_alive, bool bad_status);
  void OnEof(SocketId s, Conn& c);
  void OnIdle(SocketId s, Conn& c);
  void Fail(SocketId s, ErrorKind kind);
  void Finish(SocketId s, bool reset);
  void ArmTimeout(SocketId s, Conn& c, Instant now);
  void CheckTimeouts(Instant now);
  void CheckKeepalives(Instant now);
  void Dispatch(Instant now);
  void CloseAll();

  StackCore& stack_;
  LoadConfig config_;
  std::string request_;
  Instant now_;
  Instant start_;
  Instant end_;
  Instant drain_end_ = Instant::Max();
  Instant stop_time_;
  Instant retry_at_;  // no Connect before this (a local failure)
  bool started_ = false;
  bool stopping_ = false;
  bool warmed_ = false;    // the server has answered once
  uint64_t launched_ = 0;  // requests started or queued (count bound)
  size_t next_source_ = 0;
  size_t held_ = 0;
  size_t busy_ = 0;  // requests in flight
  Pacer pacer_;
  absl::flat_hash_map<SocketId, Conn> conns_;
  std::deque<Timer> timeouts_;    // deadlines in order: one timeout value
  std::deque<Timer> keepalives_;  // cc: next request per held conn
  std::deque<Instant> backlog_;   // rps open loop: intended, not yet sent
  std::vector<SocketId> idle_;    // rps open loop: connections free
  std::vector<std::byte> buf_;
  LoadCounters totals_;
  LoadCounters last_;
  uint64_t last_retransmits_ = 0;
  Instant last_sample_;
  bench::Histogram latency_;
  bench::Histogram interval_;
};

}  // namespace skiff::load

#endif  // SKIFF_APPS_LOAD_ENGINE_H_
