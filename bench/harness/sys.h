// Small POSIX helpers for the Linux runner and the report: time, pinning,
// file descriptors, a loopback listener, and what machine this is.
#ifndef SKIFF_BENCH_HARNESS_SYS_H_
#define SKIFF_BENCH_HARNESS_SYS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/harness/runner.h"

namespace skiff::bench {

// CLOCK_MONOTONIC in nanoseconds (vDSO: no syscall).
int64_t NowNs();
inline int64_t SecondsToNs(double s) { return static_cast<int64_t>(s * 1e9); }

// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in ns.
int64_t ThreadCpuNs();

// Pins the calling thread to one CPU.
absl::Status PinCurrentThread(int core);
int OnlineCores();

struct MachineInfo {
  std::string cpu_model;
  std::string kernel;  // uname -r
  int cores = 0;
};
MachineInfo GetMachineInfo();

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    Reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A listening TCP socket on 127.0.0.1 at an ephemeral port, SO_REUSEADDR,
// with the largest backlog the kernel allows (net.core.somaxconn caps it).
struct Listener {
  Fd fd;
  Endpoint local;
};
absl::StatusOr<Listener> ListenLoopback(bool nonblocking);
// `n` non-blocking listening sockets on one 127.0.0.1 port, each with
// SO_REUSEPORT, so the kernel spreads incoming connections over them by
// the 4-tuple's hash (one per server thread, as skiff's per-lcore
// listeners).
absl::StatusOr<std::vector<Listener>> ListenLoopbackShared(int n);

// A status carrying errno's text: "what: strerror(errno)".
absl::Status ErrnoStatus(const char* what);

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_SYS_H_
