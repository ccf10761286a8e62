// cps over kernel sockets: an epoll HTTP server thread and an epoll client
// thread, each pinned to its own core.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/harness/http.h"
#include "bench/harness/linux_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

constexpr int kMaxEvents = 256;
// Sleeping threads wake at least this often to check for the end; spinning
// ones (--linux_spin) never sleep.
constexpr int kEpollTimeoutMs = 5;
int EpollTimeout(bool spin) { return spin ? 0 : kEpollTimeoutMs; }

// The server: accepts, reads a request to its blank line, writes the page,
// closes. Per-connection state is indexed by fd.
class CpsServer {
 public:
  CpsServer(int listen_fd, const std::atomic<bool>* stop, bool spin)
      : listen_fd_(listen_fd), stop_(stop), timeout_ms_(EpollTimeout(spin)) {}

  absl::Status Run() {
    Fd ep(epoll_create1(EPOLL_CLOEXEC));
    if (ep.get() < 0) return ErrnoStatus("epoll_create1");
    ep_ = ep.get();
    if (!Add(listen_fd_, EPOLLIN)) return ErrnoStatus("epoll_ctl listen");
    epoll_event events[kMaxEvents];
    while (!stop_->load(std::memory_order_relaxed)) {
      int n = epoll_wait(ep_, events, kMaxEvents, timeout_ms_);
      if (n < 0 && errno != EINTR) return ErrnoStatus("epoll_wait");
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == listen_fd_) {
          AcceptAll();
        } else if (events[i].events & EPOLLOUT) {
          Write(fd);
        } else {
          Read(fd);
        }
      }
    }
    for (size_t fd = 0; fd < conns_.size(); ++fd) {
      if (conns_[fd].open) close(static_cast<int>(fd));
    }
    return absl::OkStatus();
  }
  // Responses written whole, warm-up included.
  uint64_t served() const { return served_; }

 private:
  struct Conn {
    bool open = false;
    bool registered = false;  // in the epoll set
    std::string in;
    size_t out_off = 0;  // bytes of the response written; 0: not started
  };

  bool Add(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    return epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  void AcceptAll() {
    for (;;) {
      int fd =
          accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a connection reset before accept
      if (conns_.size() <= static_cast<size_t>(fd)) conns_.resize(fd + 64);
      Conn& c = conns_[fd];
      c.open = true;
      c.registered = false;
      c.in.clear();
      c.out_off = 0;
      // The request has usually arrived with the handshake's last ACK:
      // read before paying for an epoll round trip.
      if (!Read(fd) || conns_[fd].registered) continue;
      if (Add(fd, EPOLLIN)) {
        conns_[fd].registered = true;
      } else {
        Close(fd);
      }
    }
  }

  // Returns false when the connection was closed.
  bool Read(int fd) {
    Conn& c = conns_[fd];
    char buf[2048];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        if (HttpRequestComplete(c.in)) return Write(fd);
        continue;
      }
      if (n < 0 && errno == EAGAIN) return true;
      Close(fd);  // EOF or error before a whole request
      return false;
    }
  }

  bool Write(int fd) {
    Conn& c = conns_[fd];
    std::string_view resp = kHttpResponse;
    while (c.out_off < resp.size()) {
      ssize_t n = write(fd, resp.data() + c.out_off, resp.size() - c.out_off);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EAGAIN) {
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.fd = fd;
        int op = c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(ep_, op, fd, &ev) != 0) break;
        c.registered = true;
        return true;
      }
      break;
    }
    if (c.out_off == resp.size()) served_++;
    Close(fd);  // Connection: close; the client answers with an RST
    return false;
  }

  void Close(int fd) {
    conns_[fd].open = false;
    close(fd);
  }

  int listen_fd_;
  const std::atomic<bool>* stop_;
  int timeout_ms_;
  int ep_ = -1;
  uint64_t served_ = 0;
  std::vector<Conn> conns_;
};

// The client: `concurrency` slots, each always holding one connection in
// some phase; a finished or failed connection is replaced at once.
class CpsClient {
 public:
  CpsClient(const CpsParams& p, Endpoint server, bool spin)
      : p_(p), timeout_ms_(EpollTimeout(spin)) {
    addr_.sin_family = AF_INET;
    addr_.sin_addr.s_addr = htonl(server.ip);
    addr_.sin_port = htons(server.port);
  }

  absl::StatusOr<CpsResult> Run() {
    Fd ep(epoll_create1(EPOLL_CLOEXEC));
    if (ep.get() < 0) return ErrnoStatus("epoll_create1");
    ep_ = ep.get();
    int64_t begin = NowNs();
    measure_from_ = begin + SecondsToNs(p_.window.warmup_s);
    measure_to_ = measure_from_ + SecondsToNs(p_.window.duration_s);
    slots_.resize(static_cast<size_t>(p_.concurrency));
    for (size_t i = 0; i < slots_.size(); ++i) Start(i);
    epoll_event events[kMaxEvents];
    for (;;) {
      int n = epoll_wait(ep_, events, kMaxEvents, timeout_ms_);
      if (n < 0 && errno != EINTR) return ErrnoStatus("epoll_wait");
      for (int i = 0; i < n; ++i) Handle(events[i].data.u64, events[i].events);
      now_ = NowNs();
      if (now_ >= measure_to_) break;
      // Slots whose connect failed synchronously start again here, at most
      // once per epoll round, so a refusing server cannot make us spin.
      std::vector<size_t> retry;
      retry.swap(retry_);
      for (size_t s : retry) Start(s);
    }
    for (Slot& s : slots_) {
      if (s.fd >= 0) close(s.fd);
    }
    result_.seconds = p_.window.duration_s;
    return std::move(result_);
  }
  // Connections completed, warm-up included.
  uint64_t completed() const { return completed_; }

 private:
  struct Slot {
    int fd = -1;
    uint32_t gen = 0;  // tells a stale epoll event from the slot's new socket
    bool connected = false;
    int64_t start_ns = 0;
    std::string in;
    HttpResponseReader reader;
  };

  static uint64_t Key(size_t slot, uint32_t gen) {
    return (uint64_t{gen} << 32) | slot;
  }

  void Start(size_t i) {
    Slot& s = slots_[i];
    s.gen++;
    s.connected = false;
    s.in.clear();
    s.reader = HttpResponseReader();
    s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) return Fail(i, /*retry_later=*/true);
    // Close with an RST: no TIME-WAIT, so ports are never exhausted.
    linger lg{1, 0};
    setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    s.start_ns = NowNs();
    int rc =
        connect(s.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof(addr_));
    epoll_event ev{};
    ev.data.u64 = Key(i, s.gen);
    if (rc == 0) {
      if (!SendRequest(i)) return;
      ev.events = EPOLLIN;
    } else if (errno == EINPROGRESS) {
      ev.events = EPOLLOUT;
    } else {
      return Fail(i, /*retry_later=*/true);
    }
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, s.fd, &ev) != 0) Fail(i, true);
  }

  bool SendRequest(size_t i) {
    Slot& s = slots_[i];
    s.connected = true;
    ssize_t n = write(s.fd, kHttpRequest.data(), kHttpRequest.size());
    if (n != static_cast<ssize_t>(kHttpRequest.size())) {
      Fail(i, true);
      return false;
    }
    return true;
  }

  void Handle(uint64_t key, uint32_t events) {
    size_t i = key & 0xffffffffu;
    Slot& s = slots_[i];
    if (s.fd < 0 || s.gen != static_cast<uint32_t>(key >> 32)) return;
    if (!s.connected) {
      // Writable without error or hang-up: the handshake completed.
      if (events & (EPOLLERR | EPOLLHUP)) return Fail(i, false);
      if (!SendRequest(i)) return;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = key;
      if (epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev) != 0) Fail(i, false);
      return;
    }
    char buf[2048];
    for (;;) {
      ssize_t n = read(s.fd, buf, sizeof(buf));
      HttpResponseReader::State st;
      if (n > 0) {
        s.in.append(buf, static_cast<size_t>(n));
        st = s.reader.Update(s.in);
        if (st == HttpResponseReader::State::kIncomplete) continue;
      } else if (n == 0) {
        st = s.reader.OnEof(s.in);
      } else if (errno == EAGAIN) {
        return;
      } else {
        return Fail(i, false);
      }
      if (st != HttpResponseReader::State::kComplete) return Fail(i, false);
      return Complete(i);
    }
  }

  void Complete(size_t i) {
    Slot& s = slots_[i];
    completed_++;
    int64_t done = NowNs();
    if (done >= measure_from_ && done < measure_to_) {
      result_.connections++;
      result_.latency_ns.Record(static_cast<uint64_t>(done - s.start_ns));
    }
    close(s.fd);
    s.fd = -1;
    Start(i);
  }

  void Fail(size_t i, bool retry_later) {
    Slot& s = slots_[i];
    int64_t t = NowNs();
    if (t >= measure_from_ && t < measure_to_) result_.errors++;
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
    if (retry_later) {
      retry_.push_back(i);
    } else {
      Start(i);
    }
  }

  const CpsParams& p_;
  int timeout_ms_;
  sockaddr_in addr_{};
  int ep_ = -1;
  int64_t measure_from_ = 0, measure_to_ = 0, now_ = 0;
  std::vector<Slot> slots_;
  std::vector<size_t> retry_;
  CpsResult result_;
  uint64_t completed_ = 0;
};

void PinOrWarn(const Placement& pl, int core) {
  if (pl.pin) (void)PinCurrentThread(core);
}

// --lcores=N: N server threads, each on its own SO_REUSEPORT listener of
// one port, and N client threads with `concurrency` connections each.
absl::StatusOr<CpsResult> RunLinuxCpsLcores(const CpsParams& p,
                                            const Placement& placement,
                                            bool spin) {
  const int n = p.lcores;
  auto listeners = ListenLoopbackShared(n);
  if (!listeners.ok()) return listeners.status();
  const Endpoint target = (*listeners)[0].local;
  std::atomic<bool> stop{false};
  std::vector<LcoreCost> costs(2 * static_cast<size_t>(n));
  std::vector<absl::Status> server_status(n);
  std::vector<absl::StatusOr<CpsResult>> client_result(n);
  std::vector<std::thread> servers, clients;
  for (int k = 0; k < n; ++k) {
    LcoreCost& cost = costs[static_cast<size_t>(n + k)];
    cost = LcoreThread(placement, n, /*server=*/true, k);
    servers.emplace_back([&, k] {
      if (cost.core >= 0) (void)PinCurrentThread(cost.core);
      const int64_t cpu0 = ThreadCpuNs();
      CpsServer server((*listeners)[k].fd.get(), &stop, spin);
      server_status[k] = server.Run();
      cost.cpu_ns = ThreadCpuNs() - cpu0;
      cost.work = server.served();
    });
  }
  for (int k = 0; k < n; ++k) {
    LcoreCost& cost = costs[static_cast<size_t>(k)];
    cost = LcoreThread(placement, n, /*server=*/false, k);
    clients.emplace_back([&, k] {
      if (cost.core >= 0) (void)PinCurrentThread(cost.core);
      const int64_t cpu0 = ThreadCpuNs();
      CpsClient client(p, target, spin);
      client_result[k] = client.Run();
      cost.cpu_ns = ThreadCpuNs() - cpu0;
      cost.work = client.completed();
    });
  }
  for (std::thread& t : clients) t.join();
  stop.store(true);
  for (std::thread& t : servers) t.join();
  CpsResult result;
  for (int k = 0; k < n; ++k) {
    if (!server_status[k].ok()) return server_status[k];
    if (!client_result[k].ok()) return client_result[k].status();
    result.connections += client_result[k]->connections;
    result.errors += client_result[k]->errors;
    result.latency_ns.Merge(client_result[k]->latency_ns);
  }
  result.seconds = p.window.duration_s;
  result.lcores = std::move(costs);
  if (result.connections == 0) {
    return absl::UnavailableError(
        absl::StrFormat("cps: no connection completed to %s (%u failed)",
                        target.ToString(), result.errors));
  }
  return result;
}

}  // namespace

absl::StatusOr<CpsResult> RunLinuxCps(const CpsParams& p,
                                      const Placement& placement, bool spin) {
  if (p.concurrency < 1) return absl::InvalidArgumentError("concurrency < 1");
  if (p.lcores >= 1 && !p.target) return RunLinuxCpsLcores(p, placement, spin);
  std::atomic<bool> stop{false};
  absl::Status server_status;
  std::thread server;
  Endpoint target;
  Listener listener;
  if (p.target) {
    target = *p.target;
  } else {
    auto l = ListenLoopback(/*nonblocking=*/true);
    if (!l.ok()) return l.status();
    listener = std::move(*l);
    target = listener.local;
    server = std::thread([&] {
      PinOrWarn(placement, placement.server_core);
      server_status = CpsServer(listener.fd.get(), &stop, spin).Run();
    });
  }
  absl::StatusOr<CpsResult> result;
  std::thread client([&] {
    PinOrWarn(placement, placement.client_core);
    result = CpsClient(p, target, spin).Run();
  });
  client.join();
  stop.store(true);
  if (server.joinable()) server.join();
  if (!server_status.ok()) return server_status;
  if (result.ok() && result->connections == 0) {
    return absl::UnavailableError(
        absl::StrFormat("cps: no connection completed to %s (%u failed)",
                        target.ToString(), result->errors));
  }
  return result;
}

}  // namespace skiff::bench
