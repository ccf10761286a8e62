#include "bench/harness/sys.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include "absl/strings/str_format.h"

namespace skiff::bench {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int LcoreCore(const Placement& p, int cores, int lcores, bool server, int k) {
  if (lcores == 1) return server ? p.server_core : p.client_core;
  if (cores >= 2 * lcores) return server ? lcores + k : k;
  return k % std::max(cores, 1);
}

LcoreCost LcoreThread(const Placement& p, int lcores, bool server, int k) {
  return {.server = server,
          .index = k,
          .core = p.pin ? LcoreCore(p, p.cores, lcores, server, k) : -1};
}

absl::Status ErrnoStatus(const char* what) {
  return absl::InternalError(absl::StrFormat("%s: %s", what, strerror(errno)));
}

absl::Status PinCurrentThread(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrFormat("pin to core %d: %s", core, strerror(rc)));
  }
  return absl::OkStatus();
}

int OnlineCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

MachineInfo GetMachineInfo() {
  MachineInfo m;
  m.cores = OnlineCores();
  utsname u;
  if (uname(&u) == 0) m.kernel = u.release;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        m.cpu_model = line.substr(colon + 1);
        m.cpu_model.erase(0, m.cpu_model.find_first_not_of(" \t"));
      }
      break;
    }
  }
  if (m.cpu_model.empty()) m.cpu_model = "unknown";
  return m;
}

void Fd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

namespace {

// A listening socket on 127.0.0.1:port (0: the kernel picks), SO_REUSEADDR,
// and SO_REUSEPORT when `share`.
absl::StatusOr<Listener> ListenOn(uint16_t port, bool nonblocking, bool share) {
  int flags = SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  Fd fd(socket(AF_INET, flags, 0));
  if (fd.get() < 0) return ErrnoStatus("socket");
  int one = 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
    return ErrnoStatus("SO_REUSEADDR");
  if (share &&
      setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)
    return ErrnoStatus("SO_REUSEPORT");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0)
    return ErrnoStatus("bind 127.0.0.1");
  if (listen(fd.get(), 65535) != 0) return ErrnoStatus("listen");
  socklen_t len = sizeof(a);
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return ErrnoStatus("getsockname");
  return Listener{std::move(fd),
                  Endpoint{ntohl(a.sin_addr.s_addr), ntohs(a.sin_port)}};
}

}  // namespace

absl::StatusOr<Listener> ListenLoopback(bool nonblocking) {
  return ListenOn(0, nonblocking, /*share=*/false);
}

absl::StatusOr<std::vector<Listener>> ListenLoopbackShared(int n) {
  std::vector<Listener> out;
  uint16_t port = 0;  // the first bind picks it, the others share it
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<Listener> l = ListenOn(port, /*nonblocking=*/true, true);
    if (!l.ok()) return l.status();
    port = l->local.port;
    out.push_back(std::move(*l));
  }
  return out;
}

}  // namespace skiff::bench
