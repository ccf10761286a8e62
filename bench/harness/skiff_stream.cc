// bulk over two skiff stacks: one connection, busy-polled (rr is
// skiff_rr.cc).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/harness/skiff_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

// The measurement window, shared by both threads in absolute time.
struct Span {
  int64_t from = 0, to = 0;
  explicit Span(const Window& w) {
    from = MonotonicClock().Now().nanos() + SecondsToNs(w.warmup_s);
    to = from + SecondsToNs(w.duration_s);
  }
  bool Contains(int64_t t) const { return t >= from && t < to; }
};

// The passive end of both workloads: accepts one connection and hands its
// readable events to `on_data`.
class OneConnServer : public TcpEventHandler {
 public:
  explicit OneConnServer(StackCore& stack) : stack_(stack) {}
  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      socket_ = s;
      if (Connection* c = stack_.Find(s)) c->SetNoDelay(true);
      OnData();
    }
  }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (s == socket_ && (ev & (TcpEvent::kReadable | TcpEvent::kWritable)))
      OnData();
  }
  int64_t now = 0;

 protected:
  virtual void OnData() = 0;
  StackCore& stack_;
  SocketId socket_;
};

class BulkSink final : public OneConnServer {
 public:
  BulkSink(StackCore& stack, const Span& span)
      : OneConnServer(stack), span_(span) {}
  uint64_t bytes = 0;  // inside the window
  uint64_t total = 0;  // warm-up included

 private:
  void OnData() override {
    for (;;) {
      RecvResult r = stack_.Recv(socket_, buf_);
      if (!r.ok()) return;
      total += r.value();
      if (span_.Contains(now)) bytes += r.value();
    }
  }
  const Span& span_;
  std::array<std::byte, 64 * 1024> buf_;
};

// The active end: connects once, then `OnData` on every event.
class OneConnClient : public TcpEventHandler {
 public:
  explicit OneConnClient(StackCore& stack) : stack_(stack) {}
  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (s != socket_) return;
    if (ev & (TcpEvent::kClosed | TcpEvent::kError)) failed = true;
    if (ev & TcpEvent::kConnected) {
      if (Connection* c = stack_.Find(s)) c->SetNoDelay(true);
      OnConnected();
    }
    if (ev & (TcpEvent::kReadable | TcpEvent::kWritable)) OnData();
  }
  bool Turn(Instant t, const Span& span) {
    now = t.nanos();
    if (!socket_.valid() && !failed) {
      ConnectResult r = stack_.Connect(kSkiffServerIp, kSkiffPort);
      if (!r.ok()) failed = true;
      if (r.ok()) socket_ = r.value();
    }
    stack_.Poll(t);
    return !failed && now < span.to;
  }
  void Close() {
    if (socket_.valid()) stack_.Abort(socket_);
  }
  const Connection* connection() { return stack_.Find(socket_); }
  bool failed = false;
  int64_t now = 0;

 protected:
  virtual void OnConnected() { OnData(); }
  virtual void OnData() = 0;
  StackCore& stack_;
  SocketId socket_;
};

class BulkSource final : public OneConnClient {
 public:
  BulkSource(StackCore& stack, size_t write_size)
      : OneConnClient(stack), chunk_(write_size, std::byte{0x5a}) {}
  uint64_t sent = 0;  // bytes the stack took, warm-up included

 private:
  void OnData() override {
    for (;;) {
      SendResult r = stack_.Send(socket_, chunk_);
      if (r.ok()) sent += r.value();
      if (!r.ok() || r.value() < chunk_.size()) return;
    }
  }
  std::vector<std::byte> chunk_;
};

// Listens, then runs both ends on their lcores to the end of `span`.
absl::Status RunOne(const Placement& placement, const Span& span,
                    OneConnClient& client, OneConnServer& server,
                    SkiffPair& sp) {
  sp.server->SetEventHandler(&server);
  sp.client->SetEventHandler(&client);
  if (!sp.server->Listen(kSkiffPort, 16).ok())
    return absl::InternalError("skiff Listen failed");
  RunPair(
      placement, sp, [&](Instant now) { return client.Turn(now, span); },
      [&](Instant now) {
        server.now = now.nanos();
        sp.server->Poll(now);
      });
  if (getenv("SKIFF_BENCH_COUNTERS") != nullptr) {
    if (const Connection* c = client.connection()) {
      std::fprintf(stderr,
                   "client conn: snd_wnd %u cwnd %u ssthresh %u in flight %u "
                   "queued %zu wscale %u\n",
                   c->snd_wnd(), c->cwnd(), c->ssthresh(),
                   c->snd_nxt() - c->snd_una(), c->send_queued(),
                   c->snd_wscale());
    }
    std::fprintf(stderr, "client:\n%s\nserver:\n%s\n",
                 sp.client->FormatCounters().c_str(),
                 sp.server->FormatCounters().c_str());
  }
  client.Close();
  if (client.failed) {
    return absl::InternalError(
        absl::StrFormat("skiff connection failed; client counters:\n%s",
                        sp.client->FormatCounters()));
  }
  return absl::OkStatus();
}

TcpLayerConfig BulkTcp() {
  TcpLayerConfig tcp;
  if (const char* b = getenv("SKIFF_BENCH_BULK_BUFFER")) {
    tcp.connection.send_buffer_size = static_cast<uint32_t>(atoi(b));
    tcp.connection.recv_buffer_size = static_cast<uint32_t>(atoi(b));
  }
  return tcp;
}

// --lcores=N: N connections, client k to server k, each pair on its own
// two threads.
absl::StatusOr<BulkResult> RunSkiffBulkLcores(SkiffEnv& env,
                                              const BulkParams& p,
                                              const Placement& placement) {
  auto made = MakeSkiffLcores(env, p.lcores, BulkTcp());
  if (!made.ok()) return made.status();
  SkiffLcores& l = **made;
  const int n = l.size();
  Span span(p.window);
  std::vector<std::unique_ptr<BulkSink>> sinks;
  std::vector<std::unique_ptr<BulkSource>> sources;
  for (int k = 0; k < n; ++k) {
    sinks.push_back(std::make_unique<BulkSink>(*l.servers[k], span));
    l.servers[k]->SetEventHandler(sinks.back().get());
    if (!l.servers[k]->Listen(kSkiffPort, 16).ok())
      return absl::InternalError("skiff Listen failed");
    sources.push_back(
        std::make_unique<BulkSource>(*l.clients[k], p.write_size));
    l.clients[k]->SetEventHandler(sources.back().get());
  }
  std::vector<LcoreCost> costs = RunLcores(
      placement, l,
      [&](int k, Instant now) { return sources[k]->Turn(now, span); },
      [&](int k, Instant now) {
        sinks[k]->now = now.nanos();
        l.servers[k]->Poll(now);
      });
  BulkResult result;
  bool failed = false;
  for (int k = 0; k < n; ++k) {
    if (getenv("SKIFF_BENCH_COUNTERS") != nullptr) {
      std::fprintf(stderr, "client %d:\n%s\nserver %d:\n%s\n", k,
                   l.clients[k]->FormatCounters().c_str(), k,
                   l.servers[k]->FormatCounters().c_str());
      for (const auto& d : l.dispatch) {
        const DispatchCounters c = d->counters();
        std::fprintf(stderr,
                     "dispatch: local %lu handed_off %lu from_peers %lu "
                     "ring_full %lu\n",
                     c.local, c.handed_off, c.from_peers, c.ring_full);
      }
      std::fprintf(stderr, "wire ring_full %lu\n", l.wire->ring_full());
    }
    sources[k]->Close();
    failed |= sources[k]->failed;
    result.bytes += sinks[k]->bytes;
    costs[k].work = sources[k]->sent;
    costs[n + k].work = sinks[k]->total;
  }
  if (failed) return absl::InternalError("skiff bulk: a connection failed");
  if (result.bytes == 0) return absl::UnavailableError("skiff bulk: no bytes");
  result.seconds = p.window.duration_s;
  result.lcores = std::move(costs);
  return result;
}

}  // namespace

absl::StatusOr<BulkResult> RunSkiffBulk(SkiffEnv& env, const BulkParams& p,
                                        const Placement& placement) {
  if (p.lcores >= 1) return RunSkiffBulkLcores(env, p, placement);
  const TcpLayerConfig tcp = BulkTcp();
  auto pair = MakeSkiffPair(env, tcp);
  if (!pair.ok()) return pair.status();
  Span span(p.window);
  BulkSink server(*(*pair)->server, span);
  BulkSource client(*(*pair)->client, p.write_size);
  absl::Status s = RunOne(placement, span, client, server, **pair);
  if (!s.ok()) return s;
  if (server.bytes == 0) return absl::UnavailableError("skiff bulk: no bytes");
  return BulkResult{server.bytes, p.window.duration_s};
}

}  // namespace skiff::bench
