// Bulk receive through the public Stack, two Stacks over the SimWire:
// Recv (copied into the receive buffer, then out) against RecvZeroCopy
// (the kept mbufs handed over). Arg 0: copy, 1: zero-copy.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "bench/micro/micro_env.h"
#include "drivers/sim/sim_wire.h"
#include "skiff/stack.h"

namespace skiff {
namespace {

void BM_BulkRecv(benchmark::State& state) {
  const bool zero_copy = state.range(0) != 0;
  ManualClock clock;
  auto wire = SimWire::Create({.clock = &clock}, bench::MicroPool(),
                              bench::MicroPool());
  if (!wire.ok()) {
    state.SkipWithError("no wire");
    return;
  }
  Config cc, sc;
  cc.address = {Ipv4Address(10, 0, 0, 1), 24};
  sc.address = {Ipv4Address(10, 0, 0, 2), 24};
  auto client = std::make_unique<Stack>((*wire)->a(), cc);
  auto server = std::make_unique<Stack>((*wire)->b(), sc);
  auto turn = [&] {
    client->Poll(clock.Now());
    server->Poll(clock.Now());
    clock.Advance(Duration::Micros(20));
  };
  client->Start(clock.Now());
  server->Start(clock.Now());
  ListenerId l = server->Listen(80).value();
  SocketId c = client->Connect(Ipv4Address(10, 0, 0, 2), 80).value();
  Result<SocketId, AcceptError> a =
      Result<SocketId, AcceptError>::Error(AcceptError::kWouldBlock);
  for (int i = 0; i < 10000 && !a.ok(); ++i) {
    turn();
    a = server->Accept(l);
  }
  const SocketId s = a.value();
  server->SetZeroCopyRecv(s, zero_copy);
  constexpr size_t kBytes = 1 << 20;
  std::vector<std::byte> out(kBytes, std::byte{7}), in(64 * 1024);
  uint64_t sum = 0;
  for (auto _ : state) {
    size_t sent = 0, got = 0;
    while (got < kBytes) {
      if (sent < kBytes) {
        auto r = client->Send(c, ConstByteSpan(out).subspan(sent));
        if (r.ok()) sent += r.value();
      }
      turn();
      for (;;) {
        if (zero_copy) {
          auto r = server->RecvZeroCopy(s);
          if (!r.ok()) break;
          RecvBuffer b = r.TakeValue();
          sum += static_cast<uint64_t>(b.bytes()[0]);  // touch, as an app would
          got += b.size();
        } else {
          auto r = server->Recv(s, in);
          if (!r.ok()) break;
          sum += static_cast<uint64_t>(in[0]);
          got += r.value();
        }
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kBytes);
  client->Abort(c);
  server->Abort(s);
  for (int i = 0; i < 100; ++i) turn();
}
BENCHMARK(BM_BulkRecv)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace skiff
