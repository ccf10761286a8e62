// skiff-echo: the smallest complete program on skiff's embedding API, and
// the example README's "Embedding API" section walks through. A TCP echo
// server on one lcore:
//
//   skiff-echo [EAL args] -- [--ip=10.88.0.2/24] [--port=7]
//
// The DPDK start-up (EAL, --ip and the other host flags, signals, port,
// loop) is apps/common/app_host.h; examples/kv is the same shape built
// against an installed libskiff.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "apps/common/app_host.h"
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
    while (stack_.Accept(listener).valid()) {
    }
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
};

}  // namespace

int main(int argc, char** argv) {
  // EAL args, then "--", then the flags; SIGINT/SIGTERM end the loop.
  auto host = skiff::AppHost::Start(
      argc, argv,
      {.name = "skiff-echo",
       .usage = "skiff-echo [EAL args] -- [--ip=10.88.0.2/24] [--port=7]",
       .default_ip = "10.88.0.2/24"});
  if (!host.ok()) return skiff::AppHost::Fail("skiff-echo", host.status());
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
