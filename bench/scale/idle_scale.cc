// skiff-scale: how much an idle established connection costs. One server
// StackCore on a TestChannel; a synthetic client (frames built with the
// stack/wire reprs, no client stack) opens N connections (SYN, then the
// ACK of the SYN-ACK, in bursts of 32) that the application accepts and
// keeps open. Reports, at 1 K, 100 K and N (1 M by default):
//  - bytes per idle connection: the RSS growth over the open connections
//    divided by their number, beside sizeof(Connection) and the socket
//    table slot;
//  - the cost of one segment to a random established connection (a pure
//    ACK, through the whole input path: demux by 4-tuple, slab, TCP input),
//    which is where the table's size shows (cache misses).
//
//   skiff-scale --connections=1000000
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "bench/micro/frames.h"
#include "drivers/dpdk/eal.h"
#include "drivers/sim/test_channel.h"
#include "stack/sockets/socket_table.h"
#include "stack/stack_core.h"

ABSL_FLAG(uint32_t, connections, 1000000, "Idle connections to open");
ABSL_FLAG(uint32_t, probes, 200000, "Segments timed at each checkpoint");

namespace skiff::bench {
namespace {

constexpr size_t kBurst = 32;
constexpr size_t kTcpOff = EthernetRepr::kLen + Ipv4Repr::kLen;

// Resident set size in bytes (/proc/self/statm, field 2).
uint64_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Anonymous memory on transparent huge pages (the slab, the buffer chunks
// and the socket table ask for them): whether THP was granted.
uint64_t AnonHugeBytes() {
  std::ifstream f("/proc/self/smaps_rollup");
  std::string key;
  uint64_t kb = 0;
  while (f >> key) {
    if (key == "AnonHugePages:") {
      f >> kb;
      return kb * 1024;
    }
    f.ignore(1 << 10, '\n');
  }
  return 0;
}

// Client i: 10.1.0.0/16 and up (routed through the gateway, the client's
// MAC: one ARP entry for all), ports 1024..61023.
Ipv4Address ClientIp(uint32_t i) {
  return Ipv4Address(0x0a010000u + i / 60000);
}
uint16_t ClientPort(uint32_t i) {
  return static_cast<uint16_t>(1024 + i % 60000);
}
constexpr uint32_t kClientIsn = 1000;

class Acceptor final : public TcpEventHandler {
 public:
  explicit Acceptor(StackCore& s) : stack_(s) {}
  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l))
      ++accepted;
  }
  void OnSocketEvent(SocketId, uint8_t) override {}
  uint64_t accepted = 0;

 private:
  StackCore& stack_;
};

struct Server {
  explicit Server(PacketPool& pool, uint32_t n)
      : channel(pool, kServerMac), stack(channel, Config(n)), app(stack) {
    stack.SetEventHandler(&app);
    stack.Listen(80, n);
    stack.Start(clock.Now());
    channel.Inject(ArpRequestFrame());
    Poll();
    channel.TakeSentPackets();
  }
  static StackConfig Config(uint32_t n) {
    StackConfig c{.address = {kServerIp, 24}, .gateway = kClientIp};
    c.tcp.max_connections = n + 1024;
    c.arp.reachable_time = Duration::Seconds(int64_t{1} << 30);
    return c;
  }
  void Poll() {
    clock.Advance(Duration::Micros(1));
    stack.Poll(clock.Now());
  }
  ManualClock clock;
  TestChannel channel;
  StackCore stack;
  Acceptor app;
};

TcpRepr ClientSeg(uint32_t i, uint8_t flags, uint32_t seq, uint32_t ack) {
  TcpRepr r{.src_port = ClientPort(i),
            .dst_port = 80,
            .seq = SeqNum(seq),
            .ack = SeqNum(ack),
            .flags = flags,
            .window = 502};
  if (flags & TcpFlag::kSyn) {
    r.options = LinuxSynOptions(1);
  } else {
    r.options.timestamp = TcpTimestamp{1, 0};
  }
  return r;
}

// Opens connections [from, to): SYNs in bursts, then the ACKs of the
// SYN-ACKs they earn, noting each server ISN. Returns false if a SYN-ACK
// went missing.
bool Open(Server& srv, uint32_t from, uint32_t to,
          std::vector<uint32_t>& server_isn) {
  for (uint32_t b = from; b < to; b += kBurst) {
    const uint32_t e = std::min<uint32_t>(to, b + kBurst);
    for (uint32_t i = b; i < e; ++i) {
      srv.channel.Inject(TcpFrame(ClientSeg(i, TcpFlag::kSyn, kClientIsn, 0),
                                  {}, ClientIp(i)));
    }
    srv.Poll();
    std::vector<Packet> sent = srv.channel.TakeSentPackets();
    if (sent.size() != e - b) return false;
    for (uint32_t i = b; i < e; ++i) {
      const std::byte* t = sent[i - b].data().data() + kTcpOff;
      server_isn[i] = LoadBe32(t + 4);
      srv.channel.Inject(TcpFrame(
          ClientSeg(i, TcpFlag::kAck, kClientIsn + 1, server_isn[i] + 1), {},
          ClientIp(i)));
    }
    srv.Poll();
  }
  return true;
}

// ns per segment: pure ACKs (nothing new: no answer) to random open
// connections, 32 per Poll, frames prepared beforehand. Includes the copy
// into an mbuf (TestChannel::Inject), which a NIC would do.
double ProbeNs(Server& srv, uint32_t open, uint32_t probes,
               std::vector<uint32_t>& server_isn) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> pick(0, open - 1);
  std::vector<std::vector<std::byte>> frames(1024);
  for (auto& f : frames) {
    uint32_t i = pick(rng);
    f = TcpFrame(ClientSeg(i, TcpFlag::kAck, kClientIsn + 1, server_isn[i] + 1),
                 {}, ClientIp(i));
  }
  auto t0 = std::chrono::steady_clock::now();
  for (uint32_t p = 0; p < probes; p += kBurst) {
    for (size_t k = 0; k < kBurst; ++k)
      srv.channel.Inject(frames[(p + k) % frames.size()]);
    srv.Poll();
  }
  auto t1 = std::chrono::steady_clock::now();
  srv.channel.TakeSentPackets();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / probes;
}

int Main(uint32_t n, uint32_t probes, PacketPool& pool) {
  auto srv = std::make_unique<Server>(pool, n);
  std::vector<uint32_t> server_isn(n, 0);  // touched before the baseline
  std::printf("skiff-scale: %u idle established connections on one StackCore\n",
              n);
  std::printf(
      "sizeof(Connection) %zu B; socket table slot %zu B with its control "
      "byte (flat_hash_set of slot indices)\n",
      sizeof(Connection), SocketTable<Connection>::kSlotBytes);
  std::printf("%10s %10s %14s %14s %12s %12s\n", "conns", "open s",
              "RSS delta MiB", "B/conn", "ns/segment", "THP MiB");
  const uint64_t rss_base = RssBytes();
  uint32_t open = 0;
  auto start = std::chrono::steady_clock::now();
  for (uint32_t checkpoint : {1000u, 100000u, n}) {
    if (checkpoint > n || checkpoint <= open) continue;
    if (!Open(*srv, open, checkpoint, server_isn)) {
      std::fprintf(stderr, "skiff-scale: a SYN got no SYN-ACK near %u\n%s",
                   open, srv->stack.FormatCounters().c_str());
      return 1;
    }
    open = checkpoint;
    if (srv->stack.tcp().connection_count() != open) {
      std::fprintf(stderr, "skiff-scale: %zu connections, want %u\n%s",
                   srv->stack.tcp().connection_count(), open,
                   srv->stack.FormatCounters().c_str());
      return 1;
    }
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    const uint64_t rss = RssBytes();
    const double delta = static_cast<double>(rss - rss_base);
    const double ns = ProbeNs(*srv, open, probes, server_isn);
    std::printf("%10u %10.1f %14.1f %14.0f %12.0f %12.1f\n", open, secs,
                delta / (1 << 20), delta / open, ns,
                static_cast<double>(AnonHugeBytes()) / (1 << 20));
    std::fflush(stdout);
  }
  const TcpCounters c = srv->stack.tcp().counters();
  std::printf("accepted %" PRIu64 ", still open %zu, ACKs answered %zu\n",
              srv->app.accepted, srv->stack.tcp().connection_count(),
              srv->channel.tx_count());
  (void)c;
  return 0;
}

}  // namespace
}  // namespace skiff::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto eal = skiff::Eal::InitInProcess("skiff-scale", 512);
  if (!eal.ok()) {
    std::fprintf(stderr, "skiff-scale: %s\n", eal.status().ToString().c_str());
    return 1;
  }
  int rc = 1;
  {
    auto pool = skiff::PacketPool::Create({.name = "scale_pool", .size = 4095});
    if (!pool.ok()) return 1;
    rc = skiff::bench::Main(absl::GetFlag(FLAGS_connections),
                            absl::GetFlag(FLAGS_probes), **pool);
  }
  eal->reset();  // also removes EAL's runtime directory
  return rc;
}
