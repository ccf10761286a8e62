#include "bench/harness/skiff_env.h"

#include <sched.h>
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

absl::StatusOr<std::unique_ptr<SkiffEnv>> SkiffEnv::Start(InProcessMemory mem,
                                                          bool checksum_offload,
                                                          bool gro) {
  std::unique_ptr<SkiffEnv> env(new SkiffEnv());
  env->checksum_offload_ = checksum_offload;
  env->gro_ = gro;
  auto eal = Eal::InitInProcess("skiff-bench", 1024, mem);
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

std::string SkiffEnv::memory_note() const {
  return eal_->hugepages() ? "EAL on hugepages (--in-memory)"
                           : "EAL --no-huge (4 KiB pages)";
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
  auto wire = SimWire::Create({.checksum_offload = env.checksum_offload()},
                              env.client_pool(), env.server_pool());
  if (!wire.ok()) return wire.status();
  pair->wire = std::move(*wire);
  StackConfig c{.address = {kSkiffClientIp, 24}};
  c.tcp = tcp;
  c.gro = env.gro();
  StackConfig s{.address = {kSkiffServerIp, 24}};
  s.tcp = tcp;
  s.gro = env.gro();
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

SkiffLcores::~SkiffLcores() {
  clients.clear();
  servers.clear();
  dispatch.clear();
  client_group.reset();  // frees what is still in the rings
  server_group.reset();
  wire.reset();
}

absl::StatusOr<std::unique_ptr<SkiffLcores>> MakeSkiffLcores(
    SkiffEnv& env, int n, const TcpLayerConfig& tcp) {
  if (n < 1 || n > 64) return absl::InvalidArgumentError("lcores in [1, 64]");
  auto l = std::make_unique<SkiffLcores>();
  MultiQueueWireConfig wc;
  wc.a.queues = static_cast<uint16_t>(n);
  wc.b.queues = static_cast<uint16_t>(n);
  wc.checksum_offload = env.checksum_offload();
  auto wire = MultiQueueWire::Create(wc, env.client_pool(), env.server_pool());
  if (!wire.ok()) return wire.status();
  l->wire = std::move(*wire);
  auto cg =
      DispatchGroup::Create(l->wire->rss_a(), {.port_hash_is_ours = true});
  if (!cg.ok()) return cg.status();
  l->client_group = std::move(*cg);
  auto sg =
      DispatchGroup::Create(l->wire->rss_b(), {.port_hash_is_ours = true});
  if (!sg.ok()) return sg.status();
  l->server_group = std::move(*sg);
  for (int k = 0; k < n; ++k) {
    const auto q = static_cast<uint16_t>(k);
    StackConfig c{.address = {kSkiffClientIp, 24}};
    c.tcp = tcp;
    c.gro = env.gro();
    if (n > 1) {
      l->choosers.push_back(std::make_unique<RssPortChooser>(
          l->wire->rss_a(), q, c.tcp.ephemeral_first, c.tcp.ephemeral_last));
      c.tcp.port_chooser = l->choosers.back().get();
    }
    StackConfig s{.address = {kSkiffServerIp, 24}};
    s.tcp = tcp;
    s.gro = env.gro();
    l->dispatch.push_back(
        std::make_unique<DispatchDevice>(*l->client_group, q, l->wire->a(q)));
    l->clients.push_back(std::make_unique<StackCore>(*l->dispatch.back(), c));
    l->dispatch.push_back(
        std::make_unique<DispatchDevice>(*l->server_group, q, l->wire->b(q)));
    l->servers.push_back(std::make_unique<StackCore>(*l->dispatch.back(), s));
  }
  return l;
}

std::vector<LcoreCost> RunLcores(const Placement& placement,
                                 SkiffLcores& lcores,
                                 const LcoreClientTurn& client,
                                 const LcoreServerTurn& server) {
  const int n = lcores.size();
  std::vector<LcoreCost> costs(2 * static_cast<size_t>(n));
  std::atomic<int> clients_running{n};
  std::atomic<int> servers_started{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2 * n; ++i) {
    const bool is_server = i >= n;
    const int k = is_server ? i - n : i;
    LcoreCost& cost = costs[static_cast<size_t>(i)];
    cost = LcoreThread(placement, n, is_server, k);
    threads.emplace_back([&, is_server, k] {
      if (cost.core >= 0) (void)PinCurrentThread(cost.core);
      const auto q = static_cast<uint16_t>(k);
      const MultiQueueWire::Queue& rx =
          is_server ? lcores.wire->b(q) : lcores.wire->a(q);
      MonotonicClock clock;
      const int64_t cpu0 = ThreadCpuNs();
      auto idle_yield = [&](uint64_t before) {
        if (rx.received() == before) sched_yield();
      };
      if (is_server) {
        lcores.servers[q]->Start(clock.Now());
        servers_started.fetch_add(1, std::memory_order_release);
        while (clients_running.load(std::memory_order_relaxed) > 0) {
          const uint64_t before = rx.received();
          server(k, clock.Now());
          idle_yield(before);
        }
      } else {
        while (servers_started.load(std::memory_order_acquire) < n) {
          sched_yield();
        }
        lcores.clients[q]->Start(clock.Now());
        for (;;) {
          const uint64_t before = rx.received();
          if (!client(k, clock.Now())) break;
          idle_yield(before);
        }
        clients_running.fetch_sub(1, std::memory_order_relaxed);
      }
      cost.cpu_ns = ThreadCpuNs() - cpu0;
    });
  }
  for (std::thread& t : threads) t.join();
  return costs;
}

}  // namespace skiff::bench
