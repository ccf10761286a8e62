// bulk over kernel sockets: one loopback connection, a server thread and a
// client thread pinned to their cores (rr is linux_rr.cc).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <thread>
#include <vector>

#include "bench/harness/linux_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

struct Deadlines {
  int64_t measure_from, measure_to;
  static Deadlines From(const Window& w) {
    int64_t from = NowNs() + SecondsToNs(w.warmup_s);
    return {from, from + SecondsToNs(w.duration_s)};
  }
  bool InWindow(int64_t t) const { return t >= measure_from && t < measure_to; }
};

absl::StatusOr<Fd> Connect(Endpoint to) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return ErrnoStatus("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(to.ip);
  a.sin_port = htons(to.port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0)
    return ErrnoStatus("connect");
  return fd;
}

bool SendAll(int fd, const char* buf, size_t len) {
  size_t put = 0;
  while (put < len) {
    ssize_t n = send(fd, buf + put, len - put, MSG_NOSIGNAL);
    if (n > 0) {
      put += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
      return false;
    }
  }
  return true;
}

// Runs `serve` on the accepted connection in a server thread and `drive` on
// a connected socket in a client thread. If the client cannot connect, the
// listener is shut down so the server's accept() returns.
absl::Status RunPair(const Placement& pl, const std::function<void(int)>& serve,
                     const std::function<absl::Status(int)>& drive) {
  auto listener = ListenLoopback(/*nonblocking=*/false);
  if (!listener.ok()) return listener.status();
  int lfd = listener->fd.get();
  std::thread server([&] {
    if (pl.pin) (void)PinCurrentThread(pl.server_core);
    Fd conn(accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.get() < 0) return;
    serve(conn.get());
  });
  absl::Status status;
  std::thread client([&] {
    if (pl.pin) (void)PinCurrentThread(pl.client_core);
    auto fd = Connect(listener->local);
    if (!fd.ok()) {
      status = fd.status();
      shutdown(lfd, SHUT_RDWR);
      return;
    }
    status = drive(fd->get());
    // Closing sends the FIN that ends the server's loop.
  });
  client.join();
  server.join();
  return status;
}

// --lcores=N: N connections, each from a client thread of its own to a
// server thread of its own (a listener each, so the N connections cannot
// pile onto one server thread as SO_REUSEPORT's hash may put them).
absl::StatusOr<BulkResult> RunLinuxBulkLcores(const BulkParams& p,
                                              const Placement& placement,
                                              bool spin) {
  const int n = p.lcores;
  Deadlines d = Deadlines::From(p.window);
  std::vector<Listener> listeners;
  for (int k = 0; k < n; ++k) {
    auto l = ListenLoopback(/*nonblocking=*/false);
    if (!l.ok()) return l.status();
    listeners.push_back(std::move(*l));
  }
  std::vector<LcoreCost> costs(2 * static_cast<size_t>(n));
  std::vector<uint64_t> in_window(n, 0);
  std::vector<absl::Status> status(n);
  std::vector<std::thread> threads;
  for (int k = 0; k < n; ++k) {
    LcoreCost& sc = costs[static_cast<size_t>(n + k)];
    sc = LcoreThread(placement, n, /*server=*/true, k);
    threads.emplace_back([&, k] {
      if (sc.core >= 0) (void)PinCurrentThread(sc.core);
      const int64_t cpu0 = ThreadCpuNs();
      Fd conn(accept4(listeners[k].fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
      std::vector<char> buf(256 * 1024);
      while (conn.get() >= 0) {
        ssize_t r =
            recv(conn.get(), buf.data(), buf.size(), spin ? MSG_DONTWAIT : 0);
        if (r > 0) {
          sc.work += static_cast<uint64_t>(r);
          if (d.InWindow(NowNs())) in_window[k] += static_cast<uint64_t>(r);
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          break;
        }
      }
      sc.cpu_ns = ThreadCpuNs() - cpu0;
    });
    LcoreCost& cc = costs[static_cast<size_t>(k)];
    cc = LcoreThread(placement, n, /*server=*/false, k);
    threads.emplace_back([&, k] {
      if (cc.core >= 0) (void)PinCurrentThread(cc.core);
      const int64_t cpu0 = ThreadCpuNs();
      auto fd = Connect(listeners[k].local);
      if (!fd.ok()) {
        status[k] = fd.status();
        shutdown(listeners[k].fd.get(), SHUT_RDWR);
        return;
      }
      std::vector<char> buf(p.write_size, 'b');
      while (NowNs() < d.measure_to) {
        if (!SendAll(fd->get(), buf.data(), buf.size())) {
          status[k] = ErrnoStatus("send");
          break;
        }
        cc.work += buf.size();
      }
      cc.cpu_ns = ThreadCpuNs() - cpu0;
    });  // closing sends the FIN that ends server k's loop
  }
  for (std::thread& t : threads) t.join();
  BulkResult result;
  for (int k = 0; k < n; ++k) {
    if (!status[k].ok()) return status[k];
    result.bytes += in_window[k];
  }
  if (result.bytes == 0) return absl::InternalError("bulk: nothing received");
  result.seconds = p.window.duration_s;
  result.lcores = std::move(costs);
  return result;
}

}  // namespace

absl::StatusOr<BulkResult> RunLinuxBulk(const BulkParams& p,
                                        const Placement& placement, bool spin) {
  if (p.write_size == 0) return absl::InvalidArgumentError("write_size 0");
  if (p.lcores >= 1) return RunLinuxBulkLcores(p, placement, spin);
  Deadlines d = Deadlines::From(p.window);
  BulkResult result;
  auto sink = [&](int fd) {
    std::vector<char> buf(256 * 1024);
    for (;;) {
      ssize_t n = recv(fd, buf.data(), buf.size(), spin ? MSG_DONTWAIT : 0);
      if (n > 0) {
        if (d.InWindow(NowNs())) result.bytes += static_cast<uint64_t>(n);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        return;
      }
    }
  };
  auto source = [&](int fd) -> absl::Status {
    std::vector<char> buf(p.write_size, 'b');
    while (NowNs() < d.measure_to) {
      if (!SendAll(fd, buf.data(), buf.size())) return ErrnoStatus("send");
    }
    return absl::OkStatus();
  };
  absl::Status s = RunPair(placement, sink, source);
  if (!s.ok()) return s;
  if (result.bytes == 0) return absl::InternalError("bulk: nothing received");
  result.seconds = p.window.duration_s;
  return result;
}

}  // namespace skiff::bench
