// cps over two skiff stacks: an HTTP responder in the httpd style on the
// server lcore, a client keeping C connections in flight on the other.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "bench/harness/http.h"
#include "bench/harness/skiff_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

ConstByteSpan Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// The server: answers each request with the page and closes. A request that
// arrives in pieces (rare: it is one 27-byte segment) waits in `partial_`.
class CpsServerSide final : public TcpEventHandler {
 public:
  explicit CpsServerSide(StackCore& stack) : stack_(stack) {}

  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      Serve(s);  // the request usually came with the handshake's ACK
    }
  }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (ev & (TcpEvent::kReadable | TcpEvent::kClosed | TcpEvent::kError)) {
      Serve(s);
    }
  }
  // Requests answered, warm-up included.
  uint64_t served() const { return served_; }

 private:
  void Serve(SocketId s) {
    std::array<char, 2048> buf;
    std::string* pending = nullptr;
    if (auto it = partial_.find(s); it != partial_.end()) pending = &it->second;
    for (;;) {
      RecvResult r = stack_.Recv(
          s, {reinterpret_cast<std::byte*>(buf.data()), buf.size()});
      if (!r.ok()) {
        if (r.error() == RecvError::kWouldBlock) break;
        return Finish(s);  // EOF or reset before a whole request
      }
      std::string_view got(buf.data(), r.value());
      if (pending == nullptr && HttpRequestComplete(got)) return Respond(s);
      if (pending == nullptr) pending = &partial_[s];
      pending->append(got);
      if (HttpRequestComplete(*pending)) return Respond(s);
    }
  }
  void Respond(SocketId s) {
    stack_.Send(s, Bytes(kHttpResponse));  // fits: the buffer is empty
    served_++;
    Finish(s);
  }
  void Finish(SocketId s) {
    partial_.erase(s);
    stack_.Close(s);
  }

  StackCore& stack_;
  uint64_t served_ = 0;
  absl::flat_hash_map<SocketId, std::string> partial_;
};

// The client: `concurrency` slots, each always holding one connection in
// some phase; a finished or failed one is replaced at once.
class CpsClientSide final : public TcpEventHandler {
 public:
  CpsClientSide(StackCore& stack, const CpsParams& p, int64_t begin_ns)
      : stack_(stack),
        measure_from_(begin_ns + SecondsToNs(p.window.warmup_s)),
        measure_to_(measure_from_ + SecondsToNs(p.window.duration_s)),
        slots_(static_cast<size_t>(p.concurrency)) {
    by_socket_.reserve(slots_.size() * 2);
  }

  // One loop turn; false once the window is over.
  bool Turn(Instant now) {
    now_ = now.nanos();
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < slots_.size(); ++i) Start(i);
    }
    stack_.Poll(now);
    // Connects refused for want of a port or slot start again next turn.
    std::vector<size_t> retry;
    retry.swap(retry_);
    for (size_t i : retry) Start(i);
    return now_ < measure_to_;
  }

  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    auto it = by_socket_.find(s);
    if (it == by_socket_.end()) return;
    size_t i = it->second;
    if (ev & TcpEvent::kConnected) {
      SendResult r = stack_.Send(s, Bytes(kHttpRequest));
      if (!r.ok() || r.value() != kHttpRequest.size()) return Fail(i);
    }
    if (ev & (TcpEvent::kReadable | TcpEvent::kClosed | TcpEvent::kError)) {
      Read(i);
    }
  }

  CpsResult& result() { return result_; }
  // Connections completed, warm-up included.
  uint64_t completed() const { return completed_; }

 private:
  struct Slot {
    SocketId socket;
    int64_t start_ns = 0;
    size_t got = 0;
    HttpResponseReader reader;
    std::array<char, 1024> in;
  };

  void Start(size_t i) {
    Slot& s = slots_[i];
    ConnectResult r = stack_.Connect(kSkiffServerIp, kSkiffPort);
    if (!r.ok()) {
      retry_.push_back(i);
      return;
    }
    s.socket = r.value();
    s.start_ns = now_;
    s.got = 0;
    s.reader = HttpResponseReader();
    by_socket_[s.socket] = i;
  }

  void Read(size_t i) {
    Slot& s = slots_[i];
    for (;;) {
      RecvResult r = stack_.Recv(
          s.socket, {reinterpret_cast<std::byte*>(s.in.data() + s.got),
                     s.in.size() - s.got});
      HttpResponseReader::State st;
      if (r.ok()) {
        s.got += r.value();
        st = s.reader.Update({s.in.data(), s.got});
        if (st == HttpResponseReader::State::kIncomplete) {
          if (s.got == s.in.size()) return Fail(i);  // no page is this big
          continue;
        }
      } else if (r.error() == RecvError::kEof) {
        st = s.reader.OnEof({s.in.data(), s.got});
      } else if (r.error() == RecvError::kWouldBlock) {
        return;
      } else {
        return Fail(i);
      }
      if (st != HttpResponseReader::State::kComplete) return Fail(i);
      return Complete(i);
    }
  }

  void Complete(size_t i) {
    Slot& s = slots_[i];
    completed_++;
    // The turn's time stamps both ends: at most one turn late, alike for
    // every connection, and no clock read per event.
    if (now_ >= measure_from_ && now_ < measure_to_) {
      result_.connections++;
      result_.latency_ns.Record(static_cast<uint64_t>(now_ - s.start_ns));
    }
    End(i);
    Start(i);
  }

  void Fail(size_t i) {
    if (now_ >= measure_from_ && now_ < measure_to_) result_.errors++;
    End(i);
    retry_.push_back(i);
  }

  void End(size_t i) {
    Slot& s = slots_[i];
    by_socket_.erase(s.socket);
    stack_.Abort(s.socket);  // RST: no TIME-WAIT, as SO_LINGER {1, 0}
    s.socket = SocketId();
  }

  StackCore& stack_;
  int64_t measure_from_, measure_to_, now_ = 0;
  bool started_ = false;
  std::vector<Slot> slots_;
  absl::flat_hash_map<SocketId, size_t> by_socket_;
  std::vector<size_t> retry_;
  CpsResult result_;
  uint64_t completed_ = 0;
};

// --lcores=N: N clients and N servers, each on its own thread and Stack.
absl::StatusOr<CpsResult> RunSkiffCpsLcores(SkiffEnv& env, const CpsParams& p,
                                            const Placement& placement) {
  auto made = MakeSkiffLcores(env, p.lcores, {});
  if (!made.ok()) return made.status();
  SkiffLcores& l = **made;
  const int n = l.size();
  std::vector<std::unique_ptr<CpsServerSide>> servers;
  std::vector<std::unique_ptr<CpsClientSide>> clients;
  const int64_t begin = MonotonicClock().Now().nanos();
  for (int k = 0; k < n; ++k) {
    servers.push_back(std::make_unique<CpsServerSide>(*l.servers[k]));
    l.servers[k]->SetEventHandler(servers.back().get());
    if (!l.servers[k]->Listen(kSkiffPort, /*backlog=*/4096).ok()) {
      return absl::InternalError("skiff Listen failed");
    }
    clients.push_back(std::make_unique<CpsClientSide>(*l.clients[k], p, begin));
    l.clients[k]->SetEventHandler(clients.back().get());
  }
  std::vector<LcoreCost> costs = RunLcores(
      placement, l, [&](int k, Instant now) { return clients[k]->Turn(now); },
      [&](int k, Instant now) { l.servers[k]->Poll(now); });
  CpsResult result;
  for (int k = 0; k < n; ++k) {
    const CpsResult& r = clients[k]->result();
    result.connections += r.connections;
    result.errors += r.errors;
    result.latency_ns.Merge(r.latency_ns);
    costs[k].work = clients[k]->completed();
    costs[n + k].work = servers[k]->served();
    if (getenv("SKIFF_BENCH_COUNTERS") != nullptr) {
      std::fprintf(stderr, "client %d:\n%s\nserver %d:\n%s\n", k,
                   l.clients[k]->FormatCounters().c_str(), k,
                   l.servers[k]->FormatCounters().c_str());
    }
  }
  result.lcores = std::move(costs);
  result.seconds = p.window.duration_s;
  if (result.connections == 0) {
    return absl::UnavailableError(absl::StrFormat(
        "skiff cps: no connection completed (%u failed)", result.errors));
  }
  return result;
}

}  // namespace

absl::StatusOr<CpsResult> RunSkiffCps(SkiffEnv& env, const CpsParams& p,
                                      const Placement& placement) {
  if (p.concurrency < 1) return absl::InvalidArgumentError("concurrency < 1");
  if (p.target) {
    return absl::UnimplementedError(
        "--target is not supported for skiff (no DPDK port runner yet)");
  }
  if (p.lcores >= 1) return RunSkiffCpsLcores(env, p, placement);
  auto pair = MakeSkiffPair(env, {});
  if (!pair.ok()) return pair.status();
  SkiffPair& sp = **pair;
  CpsServerSide server(*sp.server);
  sp.server->SetEventHandler(&server);
  ListenResult l = sp.server->Listen(kSkiffPort, /*backlog=*/4096);
  if (!l.ok()) return absl::InternalError("skiff Listen failed");
  CpsClientSide client(*sp.client, p, MonotonicClock().Now().nanos());
  sp.client->SetEventHandler(&client);
  RunPair(
      placement, sp, [&](Instant now) { return client.Turn(now); },
      [&](Instant now) { sp.server->Poll(now); });
  if (getenv("SKIFF_BENCH_COUNTERS") != nullptr) {
    std::fprintf(stderr, "client:\n%s\nserver:\n%s\n",
                 sp.client->FormatCounters().c_str(),
                 sp.server->FormatCounters().c_str());
  }
  CpsResult result = std::move(client.result());
  result.seconds = p.window.duration_s;
  if (result.connections == 0) {
    return absl::UnavailableError(absl::StrFormat(
        "skiff cps: no connection completed (%u failed)", result.errors));
  }
  return result;
}

}  // namespace skiff::bench
