#include "bench/harness/skiff_env.h"

#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

// Enough for bulk (a 256 KiB window in flight plus what the receiver
// stages) with room to spare; 2^n - 1 as mempools like.
constexpr uint32_t kPoolSize = 16383;

}  // namespace

absl::StatusOr<std::unique_ptr<SkiffEnv>> SkiffEnv::Start() {
  std::unique_ptr<SkiffEnv> env(new SkiffEnv());
  auto eal = Eal::InitInProcess("skiff-bench", 1024);
  if (!eal.ok()) return eal.status();
  env->eal_ = std::move(*eal);
  auto client = PacketPool::Create({.name = "bench_client", .size = kPoolSize});
  if (!client.ok()) return client.status();
  env->client_pool_ = std::move(*client);
  auto server = PacketPool::Create({.name = "bench_server", .size = kPoolSize});
  if (!server.ok()) return server.status();
  env->server_pool_ = std::move(*server);
  return env;
}

SkiffEnv::~SkiffEnv() {
  client_pool_.reset();
  server_pool_.reset();
  eal_.reset();  // also removes EAL's runtime directory
}

std::string SkiffEnv::LeakReport() const {
  std::string out;
  for (const PacketPool* p : {client_pool_.get(), server_pool_.get()}) {
    if (p->available() != p->capacity()) {
      out += absl::StrFormat("%u of %u mbufs not returned; ",
                             p->capacity() - p->available(), p->capacity());
    }
  }
  return out;
}

SkiffPair::~SkiffPair() {
  client.reset();
  server.reset();
  wire.reset();
}

absl::StatusOr<std::unique_ptr<SkiffPair>> MakeSkiffPair(
    SkiffEnv& env, const TcpLayerConfig& tcp) {
  auto pair = std::make_unique<SkiffPair>();
  // No clock and no delay: a frame is due the moment it is sent.
  auto wire = SimWire::Create({}, env.client_pool(), env.server_pool());
  if (!wire.ok()) return wire.status();
  pair->wire = std::move(*wire);
  StackConfig c{.address = {kSkiffClientIp, 24}};
  c.tcp = tcp;
  StackConfig s{.address = {kSkiffServerIp, 24}};
  s.tcp = tcp;
  pair->client = std::make_unique<StackCore>(pair->wire->a(), c);
  pair->server = std::make_unique<StackCore>(pair->wire->b(), s);
  return pair;
}

void RunPair(const Placement& placement, SkiffPair& pair,
             const ClientTurn& client, const ServerTurn& server) {
  std::atomic<bool> stop{false};
  std::atomic<bool> server_started{false};
  std::thread server_thread([&] {
    if (placement.pin) (void)PinCurrentThread(placement.server_core);
    MonotonicClock clock;
    pair.server->Start(clock.Now());
    server_started.store(true, std::memory_order_release);
    while (!stop.load(std::memory_order_relaxed)) server(clock.Now());
  });
  std::thread client_thread([&] {
    if (placement.pin) (void)PinCurrentThread(placement.client_core);
    while (!server_started.load(std::memory_order_acquire)) {
    }
    MonotonicClock clock;
    pair.client->Start(clock.Now());
    while (client(clock.Now())) {
    }
    stop.store(true, std::memory_order_relaxed);
  });
  client_thread.join();
  server_thread.join();
}

}  // namespace skiff::bench
