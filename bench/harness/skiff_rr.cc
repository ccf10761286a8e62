// rr over two skiff stacks: the server Stack answers on every connection it
// accepts, the client Stack drives `connections` connections with one
// request outstanding each; both busy-polled on their own cores (RunPair).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "bench/harness/skiff_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

// Answers each whole `size`-byte request with as many bytes. One request is
// outstanding per connection, so an answer always fits the send buffer.
class RrServerSide final : public TcpEventHandler {
 public:
  RrServerSide(StackCore& stack, size_t size)
      : stack_(stack), answer_(size, std::byte{'r'}) {}

  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      if (Connection* c = stack_.Find(s)) c->SetNoDelay(true);
      pending_[s] = 0;
      Serve(s);  // the first request may have come with the handshake
    }
  }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (ev & (TcpEvent::kReadable | TcpEvent::kClosed | TcpEvent::kError))
      Serve(s);
  }

 private:
  void Serve(SocketId s) {
    auto it = pending_.find(s);
    if (it == pending_.end()) return;
    size_t pending = it->second;
    for (;;) {
      RecvResult r = stack_.Recv(s, in_);
      if (r.ok()) {
        pending += r.value();
        continue;
      }
      if (r.error() == RecvError::kWouldBlock) break;
      pending_.erase(it);  // EOF or reset: the client is done
      stack_.Close(s);
      return;
    }
    // The map is done with before Send, which may run other handlers.
    it->second = pending % answer_.size();
    for (size_t n = pending / answer_.size(); n > 0; --n)
      stack_.Send(s, answer_);
  }

  StackCore& stack_;
  std::vector<std::byte> answer_;
  std::array<std::byte, 4096> in_;
  absl::flat_hash_map<SocketId, size_t> pending_;  // bytes not yet answered
};

// `p.connections` connections, each sending its next request when the whole
// answer to the last has arrived. Both ends are stamped with the loop
// turn's time, as in cps. A connection that fails fails the run: rr
// connections live for the whole experiment.
class RrClientSide final : public TcpEventHandler {
 public:
  RrClientSide(StackCore& stack, const RrParams& p, int64_t begin_ns)
      : stack_(stack),
        measure_from_(begin_ns + SecondsToNs(p.window.warmup_s)),
        measure_to_(measure_from_ + SecondsToNs(p.window.duration_s)),
        request_(p.message_size, std::byte{'q'}),
        conns_(static_cast<size_t>(p.connections)) {
    by_socket_.reserve(conns_.size());
  }

  // One loop turn; false once the window is over or a connection failed.
  bool Turn(Instant now) {
    now_ = now.nanos();
    if (!started_) {
      started_ = true;
      Start(0);  // the rest once it is up: see StartOthers
    }
    stack_.Poll(now);
    return error_.empty() && now_ < measure_to_;
  }

  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    auto it = by_socket_.find(s);
    if (it == by_socket_.end() || !error_.empty()) return;
    const size_t i = it->second;
    if (ev & (TcpEvent::kClosed | TcpEvent::kError))
      return Fail(i, "closed or reset");
    if (ev & TcpEvent::kConnected) {
      if (Connection* c = stack_.Find(s)) c->SetNoDelay(true);
      if (i == 0) StartOthers();
      Send(i);
    }
    if (ev & TcpEvent::kReadable) Read(i);
  }

  // Resets every connection (no TIME-WAIT left behind).
  void AbortAll() {
    by_socket_.clear();
    for (Conn& c : conns_) {
      if (c.socket.valid()) stack_.Abort(c.socket);
    }
  }
  const std::string& error() const { return error_; }
  RrResult& result() { return result_; }

 private:
  struct Conn {
    SocketId socket;
    size_t got = 0;  // bytes of the current answer
    int64_t sent_ns = 0;
  };

  void Start(size_t i) {
    ConnectResult r = stack_.Connect(kSkiffServerIp, kSkiffPort);
    if (!r.ok()) return Fail(i, "Connect refused");
    conns_[i].socket = r.value();
    by_socket_[r.value()] = i;
  }

  // The first connection's handshake resolved the server's MAC. Before
  // that ARP parks only a few packets per neighbour (ArpResolver's
  // max_pending), so SYNs sent at once beyond them would wait out the
  // retransmission timeout.
  void StartOthers() {
    for (size_t i = 1; i < conns_.size() && error_.empty(); ++i) Start(i);
  }

  void Send(size_t i) {
    Conn& c = conns_[i];
    c.sent_ns = now_;
    SendResult r = stack_.Send(c.socket, request_);
    if (!r.ok() || r.value() != request_.size()) Fail(i, "Send short");
  }

  void Read(size_t i) {
    Conn& c = conns_[i];
    for (;;) {
      RecvResult r = stack_.Recv(c.socket, in_);
      if (!r.ok()) {
        if (r.error() == RecvError::kWouldBlock) return;
        return Fail(i, "server closed mid-exchange");
      }
      c.got += r.value();
      if (c.got < request_.size()) continue;
      if (c.got > request_.size()) return Fail(i, "answer too long");
      c.got = 0;
      if (now_ >= measure_from_ && now_ < measure_to_) {
        result_.round_trips++;
        result_.rtt_ns.Record(static_cast<uint64_t>(now_ - c.sent_ns));
      }
      Send(i);
      if (!error_.empty()) return;
    }
  }

  void Fail(size_t i, const char* why) {
    if (error_.empty())
      error_ = absl::StrFormat("skiff rr connection %d: %s", i, why);
  }

  StackCore& stack_;
  const int64_t measure_from_, measure_to_;
  int64_t now_ = 0;
  bool started_ = false;
  std::vector<std::byte> request_;
  std::array<std::byte, 4096> in_;
  std::vector<Conn> conns_;
  absl::flat_hash_map<SocketId, size_t> by_socket_;
  RrResult result_;
  std::string error_;
};

}  // namespace

absl::StatusOr<RrResult> RunSkiffRr(SkiffEnv& env, const RrParams& p,
                                    const Placement& placement) {
  if (p.message_size == 0) return absl::InvalidArgumentError("message_size 0");
  if (p.connections < 1) return absl::InvalidArgumentError("connections < 1");
  auto pair = MakeSkiffPair(env, {});
  if (!pair.ok()) return pair.status();
  SkiffPair& sp = **pair;
  RrServerSide server(*sp.server, p.message_size);
  sp.server->SetEventHandler(&server);
  if (!sp.server->Listen(kSkiffPort, /*backlog=*/4096).ok())
    return absl::InternalError("skiff Listen failed");
  RrClientSide client(*sp.client, p, MonotonicClock().Now().nanos());
  sp.client->SetEventHandler(&client);
  RunPair(
      placement, sp, [&](Instant now) { return client.Turn(now); },
      [&](Instant now) { sp.server->Poll(now); });
  if (getenv("SKIFF_BENCH_COUNTERS") != nullptr) {
    std::fprintf(stderr, "client:\n%s\nserver:\n%s\n",
                 sp.client->FormatCounters().c_str(),
                 sp.server->FormatCounters().c_str());
  }
  client.AbortAll();
  if (!client.error().empty()) {
    return absl::InternalError(absl::StrFormat("%s; client counters:\n%s",
                                               client.error(),
                                               sp.client->FormatCounters()));
  }
  RrResult result = std::move(client.result());
  if (result.round_trips == 0) {
    return absl::UnavailableError(absl::StrFormat(
        "skiff rr: no request answered over %d connections", p.connections));
  }
  result.seconds = p.window.duration_s;
  return result;
}

}  // namespace skiff::bench
