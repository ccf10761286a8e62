// rr over kernel sockets: one epoll server thread answering on every
// accepted connection, one epoll client thread driving `connections`
// connections with one request outstanding each; both pinned as in the
// other modes, non-blocking sockets with TCP_NODELAY on both ends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/harness/linux_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

constexpr int kMaxEvents = 256;
// Sleeping threads wake at least this often to check for the end; spinning
// ones (--linux_spin) never sleep.
constexpr int kEpollTimeoutMs = 5;
int EpollTimeout(bool spin) { return spin ? 0 : kEpollTimeoutMs; }

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Answers each whole `size`-byte request with as many bytes, on every
// connection it accepts, until *stop. Level-triggered epoll and one read per
// event: with one request outstanding a read takes all there is, and a
// second read would only return EAGAIN.
class RrServer {
 public:
  RrServer(int listen_fd, size_t size, const std::atomic<bool>* stop, bool spin)
      : listen_fd_(listen_fd),
        stop_(stop),
        timeout_ms_(EpollTimeout(spin)),
        answer_(size, 'r'),
        in_(std::max<size_t>(size, 2048)) {}

  absl::Status Run() {
    Fd ep(epoll_create1(EPOLL_CLOEXEC));
    if (ep.get() < 0) return ErrnoStatus("epoll_create1");
    ep_ = ep.get();
    if (!Add(listen_fd_)) return ErrnoStatus("epoll_ctl listen");
    epoll_event events[kMaxEvents];
    while (!stop_->load(std::memory_order_relaxed)) {
      int n = epoll_wait(ep_, events, kMaxEvents, timeout_ms_);
      if (n < 0 && errno != EINTR) return ErrnoStatus("epoll_wait");
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == listen_fd_) {
          AcceptAll();
        } else {
          Serve(fd);
        }
      }
    }
    for (size_t fd = 0; fd < pending_.size(); ++fd) {
      if (pending_[fd] != kClosed) close(static_cast<int>(fd));
    }
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kClosed = ~size_t{0};

  bool Add(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    return epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  void AcceptAll() {
    for (;;) {
      int fd =
          accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a connection reset before accept
      if (pending_.size() <= static_cast<size_t>(fd))
        pending_.resize(static_cast<size_t>(fd) + 64, kClosed);
      SetNoDelay(fd);
      pending_[fd] = 0;
      if (!Add(fd)) Close(fd);
    }
  }

  void Serve(int fd) {
    ssize_t n = read(fd, in_.data(), in_.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) return Close(fd);  // the client closed at the end, or reset
    size_t& pending = pending_[fd];
    for (pending += static_cast<size_t>(n); pending >= answer_.size();
         pending -= answer_.size()) {
      // One request outstanding: the answer always fits the send buffer.
      if (write(fd, answer_.data(), answer_.size()) !=
          static_cast<ssize_t>(answer_.size())) {
        return Close(fd);
      }
    }
  }

  void Close(int fd) {
    pending_[fd] = kClosed;
    close(fd);
  }

  int listen_fd_;
  const std::atomic<bool>* stop_;
  int timeout_ms_;
  int ep_ = -1;
  std::vector<char> answer_, in_;
  std::vector<size_t> pending_;  // by fd: request bytes not yet answered
};

// `p.connections` connections, each sending its next request as soon as the
// whole answer to the last has arrived. A connection that fails fails the
// run: rr connections live for the whole experiment.
class RrClient {
 public:
  RrClient(const RrParams& p, Endpoint server, bool spin)
      : p_(p),
        timeout_ms_(EpollTimeout(spin)),
        request_(p.message_size, 'q'),
        in_(std::max<size_t>(p.message_size, 2048)) {
    addr_.sin_family = AF_INET;
    addr_.sin_addr.s_addr = htonl(server.ip);
    addr_.sin_port = htons(server.port);
  }
  ~RrClient() {
    for (const Conn& c : conns_) {
      if (c.fd >= 0) close(c.fd);  // the FIN ends the server's side
    }
  }

  absl::StatusOr<RrResult> Run() {
    Fd ep(epoll_create1(EPOLL_CLOEXEC));
    if (ep.get() < 0) return ErrnoStatus("epoll_create1");
    ep_ = ep.get();
    measure_from_ = NowNs() + SecondsToNs(p_.window.warmup_s);
    measure_to_ = measure_from_ + SecondsToNs(p_.window.duration_s);
    conns_.resize(static_cast<size_t>(p_.connections));
    for (size_t i = 0; i < conns_.size(); ++i) {
      if (absl::Status s = Start(i); !s.ok()) return s;
    }
    epoll_event events[kMaxEvents];
    while (NowNs() < measure_to_) {
      int n = epoll_wait(ep_, events, kMaxEvents, timeout_ms_);
      if (n < 0 && errno != EINTR) return ErrnoStatus("epoll_wait");
      for (int i = 0; i < n; ++i) {
        absl::Status s = Handle(events[i].data.u64, events[i].events);
        if (!s.ok()) return s;
      }
    }
    return std::move(result_);
  }

 private:
  struct Conn {
    int fd = -1;
    bool connected = false;
    size_t got = 0;  // bytes of the current answer
    int64_t sent_ns = 0;
  };

  absl::Status Start(size_t i) {
    Conn& c = conns_[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return ErrnoStatus("socket");
    SetNoDelay(c.fd);
    int rc =
        connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof(addr_));
    if (rc != 0 && errno != EINPROGRESS) return ErrnoStatus("connect");
    epoll_event ev{};
    ev.events = rc == 0 ? EPOLLIN : EPOLLOUT;
    ev.data.u64 = i;
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev) != 0)
      return ErrnoStatus("epoll_ctl");
    return rc == 0 ? Connected(i) : absl::OkStatus();
  }

  absl::Status Connected(size_t i) {
    conns_[i].connected = true;
    return Send(i);
  }

  absl::Status Send(size_t i) {
    Conn& c = conns_[i];
    c.sent_ns = NowNs();
    if (write(c.fd, request_.data(), request_.size()) !=
        static_cast<ssize_t>(request_.size())) {
      return ErrnoStatus("rr: request write");
    }
    return absl::OkStatus();
  }

  absl::Status Handle(uint64_t i, uint32_t events) {
    Conn& c = conns_[i];
    if (!c.connected) {
      // Writable without error or hang-up: the handshake completed.
      if (events & (EPOLLERR | EPOLLHUP))
        return absl::UnavailableError("rr: connect failed");
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      if (epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev) != 0)
        return ErrnoStatus("epoll_ctl");
      return Connected(i);
    }
    ssize_t n = read(c.fd, in_.data(), in_.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return absl::OkStatus();
    if (n == 0) return absl::InternalError("rr: server closed mid-exchange");
    if (n < 0) return ErrnoStatus("rr: read");
    c.got += static_cast<size_t>(n);
    if (c.got < request_.size()) return absl::OkStatus();
    if (c.got > request_.size())
      return absl::InternalError("rr: answer longer than the request");
    c.got = 0;
    const int64_t done = NowNs();
    if (done >= measure_from_ && done < measure_to_) {
      result_.round_trips++;
      result_.rtt_ns.Record(static_cast<uint64_t>(done - c.sent_ns));
    }
    return Send(i);
  }

  const RrParams& p_;
  int timeout_ms_;
  sockaddr_in addr_{};
  int ep_ = -1;
  int64_t measure_from_ = 0, measure_to_ = 0;
  std::vector<char> request_, in_;
  std::vector<Conn> conns_;
  RrResult result_;
};

void PinOrWarn(const Placement& pl, int core) {
  if (pl.pin) (void)PinCurrentThread(core);
}

}  // namespace

absl::StatusOr<RrResult> RunLinuxRr(const RrParams& p,
                                    const Placement& placement, bool spin) {
  if (p.message_size == 0) return absl::InvalidArgumentError("message_size 0");
  if (p.connections < 1) return absl::InvalidArgumentError("connections < 1");
  auto listener = ListenLoopback(/*nonblocking=*/true);
  if (!listener.ok()) return listener.status();
  std::atomic<bool> stop{false};
  absl::Status server_status;
  std::thread server([&] {
    PinOrWarn(placement, placement.server_core);
    server_status =
        RrServer(listener->fd.get(), p.message_size, &stop, spin).Run();
  });
  absl::StatusOr<RrResult> result;
  std::thread client([&] {
    PinOrWarn(placement, placement.client_core);
    result = RrClient(p, listener->local, spin).Run();
  });
  client.join();
  stop.store(true);
  server.join();
  if (!server_status.ok()) return server_status;
  if (!result.ok()) return result.status();
  if (result->round_trips == 0) {
    return absl::UnavailableError(absl::StrFormat(
        "rr: no request answered over %d connections", p.connections));
  }
  result->seconds = p.window.duration_s;
  return result;
}

}  // namespace skiff::bench
