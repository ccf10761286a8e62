// skiff-echo: the smallest complete program on skiff's embedding API, and
// the example README's "Embedding API" section walks through. A TCP echo
// server on one lcore, or, when the EAL arguments name several lcores
// (-l 0-1), one StackCore and listener per lcore (RunLcores below):
//
//   skiff-echo [EAL args] -- [--ip=10.88.0.2/24] [--port=7]
//
// The DPDK start-up (EAL, --ip and the other host flags, signals, port,
// loop) is apps/common/app_host.h; examples/kv is the same shape built
// against an installed libskiff.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "apps/common/app_host.h"
#include "apps/common/lcore_group.h"
#include "apps/common/pcap_flags.h"
#include "stack/stack_core.h"

ABSL_FLAG(uint16_t, port, 7, "TCP port to echo on");

namespace {

// Readiness arrives once per loop turn; the handler reads what came in and
// writes it straight back. Edge-triggered: read until kWouldBlock.
class Echo final : public skiff::TcpEventHandler {
 public:
  explicit Echo(skiff::StackCore& stack) : stack_(stack) {}

  void OnAcceptable(skiff::ListenerId listener) override {
    // Step 4: each accepted connection is a dedicated socket.
    while (stack_.Accept(listener).valid()) ++accepted_;
  }

  void OnSocketEvent(skiff::SocketId s, uint8_t events) override {
    if (events & skiff::TcpEvent::kError) {
      Forget(s);
      return;
    }
    // Bytes the send buffer could not take last time go first. While some
    // are left, stop reading: the receive window closes and TCP's flow
    // control slows the peer down, so memory stays bounded.
    std::string& held = held_[s];
    if (!Flush(s, held)) return;
    std::byte buf[2048];
    while (true) {
      skiff::RecvResult r = stack_.Recv(s, buf);
      if (!r.ok()) {
        // Step 6: the peer closed (or reset): close our side too.
        if (r.error() != skiff::RecvError::kWouldBlock) Forget(s);
        return;
      }
      held.assign(reinterpret_cast<const char*>(buf), r.value());
      if (!Flush(s, held)) return;  // resumes on kWritable
    }
  }

  uint64_t accepted() const { return accepted_; }

 private:
  // Sends what `held` has; true when it is all gone.
  bool Flush(skiff::SocketId s, std::string& held) {
    skiff::SendResult r =
        stack_.Send(s, skiff::AsBytes(held.data(), held.size()));
    if (r.ok()) held.erase(0, r.value());
    return held.empty();
  }
  void Forget(skiff::SocketId s) {
    held_.erase(s);
    stack_.Close(s);
  }

  skiff::StackCore& stack_;
  absl::flat_hash_map<skiff::SocketId, std::string> held_;
  uint64_t accepted_ = 0;
};

// Several lcores (issue 10): one StackCore, Echo and listener per lcore on its
// own queue pair (apps/common/lcore_group.h), like SO_REUSEPORT; the port's
// RSS (or software dispatch) spreads the clients. At exit one summed
// "counters:" block, then a line per lcore. --pcap: a file per lcore.
int RunLcores(const skiff::AppHost& host, uint16_t n) {
  const skiff::LcoreConfig& lc = host.lcore_config();
  skiff::LcoreCaptures captures(n);  // --pcap: a file per lcore
  auto group = skiff::LcoreGroup::Open(
      {.dpdk_port = lc.dpdk_port,
       .mbufs = lc.mbufs,
       .lcores = n,
       .stack = lc.stack,
       .wrap = [&](skiff::Device& d,
                   uint16_t k) { return captures.Wrap(d, k); },
       .stats_interval = lc.stats_interval});
  if (!group.ok()) return skiff::AppHost::Fail("skiff-echo", group.status());
  if (!captures.status().ok())
    return skiff::AppHost::Fail("skiff-echo", captures.status());
  skiff::LcoreGroup& g = **group;
  if (!g.port().WaitForLink(lc.link_wait))
    std::fprintf(stderr, "skiff-echo: warning: link still down\n");
  std::vector<std::unique_ptr<Echo>> echoes;
  for (uint16_t k = 0; k < n; ++k) {
    echoes.push_back(std::make_unique<Echo>(g.stack(k)));
    g.stack(k).SetEventHandler(echoes.back().get());
    if (!g.stack(k).Listen(absl::GetFlag(FLAGS_port), 1024).ok())
      return std::fprintf(stderr, "listen failed\n"), 1;
  }
  skiff::MonotonicClock clock;
  g.Start(clock.Now());
  std::printf("skiff-echo: %s port %u, %s, lcores %u\n",
              lc.stack.address.ToString().c_str(), absl::GetFlag(FLAGS_port),
              g.port().Describe().c_str(), n);
  std::fflush(stdout);
  const absl::Status run = g.Run([&](uint16_t k, skiff::Instant now) {
    g.stack(k).Poll(now);
    return !skiff::AppHost::stop_requested();
  });
  if (!run.ok()) return skiff::AppHost::Fail("skiff-echo", run);
  std::printf("counters:\n%s", g.FormatCounters().c_str());
  for (uint16_t k = 0; k < n; ++k) {
    std::printf("lcore %u: %lu connections accepted\n", k,
                echoes[k]->accepted());
  }
  std::printf("%s", g.FormatDispatch().c_str());
  std::fflush(stdout);
  captures.Finish(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // EAL args, then "--", then the flags; SIGINT/SIGTERM end the loop.
  auto host = skiff::AppHost::Start(
      argc, argv,
      {.name = "skiff-echo",
       .usage = "skiff-echo [EAL args] -- [--ip=10.88.0.2/24] [--port=7]",
       .default_ip = "10.88.0.2/24"});
  if (!host.ok()) return skiff::AppHost::Fail("skiff-echo", host.status());
  if (const uint16_t n = skiff::StackLcores((*host)->eal().args()); n > 1)
    return RunLcores(**host, n);
  auto lcore = skiff::LcoreHost::Open((*host)->lcore_config());
  if (!lcore.ok()) return skiff::AppHost::Fail("skiff-echo", lcore.status());
  skiff::StackCore& stack = (*lcore)->stack();
  Echo echo(stack);
  stack.SetEventHandler(&echo);
  // Step 1: a listening socket, no peer.
  if (!stack.Listen(absl::GetFlag(FLAGS_port), /*backlog=*/1024).ok())
    return std::fprintf(stderr, "listen failed\n"), 1;

  std::printf("skiff-echo: %s port %u\n",
              stack.config().address.ToString().c_str(),
              absl::GetFlag(FLAGS_port));
  std::fflush(stdout);
  // Steps 3 and 5 happen inside Poll: the transmit poll sends what is due.
  (*lcore)->Run([&](skiff::Instant now) {
    stack.Poll(now);
    return true;
  });
  std::printf("%s", (*lcore)->FormatCounters().c_str());
  return 0;
}
