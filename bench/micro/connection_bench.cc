// Whole-pipeline costs on one StackCore over a TestChannel, the peer being a
// synthetic client that writes frames with the stack/wire reprs (templates
// patched per use: ports, sequence numbers, checksum):
//  - BM_ShortConnection: the server side of one HTTP/1.1 connection
//    (SYN -> SYN-ACK; ACK+GET -> accept, read, page+FIN, Close; then the
//    client's FIN+ACK -> TIME-WAIT -> reaped by the timer, or its RST).
//  - BM_DataSegment: one 1460-byte segment in, read by the application,
//    and the ACK it earns (every second segment, RFC 1122 §4.2.3.2 /
//    RFC 9293 §3.8.6.3).
// The reported time is the server's alone: the StackCore::Poll calls, which
// include rx from the channel, the TCP input, the application's callbacks,
// transmit and the hand-over to the channel. `wall_ns` adds the peer's work
// (building frames, copying them into mbufs, reading the answers).
// Checksums are computed in software both ways, unless BM_DataSegment's
// `nic` argument has the channel offer checksum offload as a NIC port does.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "apps/common/stats_line.h"
#include "bench/harness/http.h"
#include "bench/micro/frames.h"
#include "bench/micro/micro_env.h"
#include "drivers/sim/checksum_offload.h"
#include "drivers/sim/test_channel.h"
#include "stack/observe/mailbox.h"
#include "stack/stack_core.h"

namespace skiff::bench {
namespace {

constexpr size_t kTcpOff = EthernetRepr::kLen + Ipv4Repr::kLen;

ConstByteSpan Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// A client frame to reuse: only ports, seq and ack change between uses.
class FrameTemplate {
 public:
  FrameTemplate(uint8_t flags, ConstByteSpan payload, bool syn_options) {
    TcpRepr r{.src_port = 1,
              .dst_port = 80,
              .flags = flags,
              .window = 502,
              .options = syn_options ? LinuxSynOptions(1) : TcpOptions()};
    if (!syn_options) r.options.timestamp = TcpTimestamp{1, 0};
    frame_ = TcpFrame(r, payload);
  }
  ConstByteSpan Make(uint16_t src_port, uint32_t seq, uint32_t ack) {
    std::byte* t = frame_.data() + kTcpOff;
    StoreBe16(t, src_port);
    StoreBe32(t + 4, seq);
    StoreBe32(t + 8, ack);
    StoreBe16(t + 16, 0);
    TcpFillChecksum({t, frame_.size() - kTcpOff}, kClientIp, kServerIp);
    return frame_;
  }

 private:
  std::vector<std::byte> frame_;
};

// What the server sent, as far as the peer cares.
struct Sent {
  uint32_t next = 0;  // sequence number after the last byte/SYN/FIN sent
  uint32_t frames = 0;
  uint32_t acks = 0;  // frames without payload, SYN or FIN
};
Sent Read(TestChannel& ch) {
  Sent s;
  for (Packet& p : ch.TakeSentPackets()) {
    const std::byte* f = p.data().data();
    if (LoadBe16(f + 12) != 0x0800) continue;  // ARP
    const size_t ip_len = LoadBe16(f + EthernetRepr::kLen + 2);
    const std::byte* t = f + kTcpOff;
    const size_t hlen = (static_cast<uint8_t>(t[12]) >> 4) * 4;
    const uint8_t flags = static_cast<uint8_t>(t[13]);
    const size_t len = ip_len - Ipv4Repr::kLen - hlen;
    const uint32_t syn_fin =
        ((flags & TcpFlag::kSyn) ? 1 : 0) + ((flags & TcpFlag::kFin) ? 1 : 0);
    s.next = LoadBe32(t + 4) + static_cast<uint32_t>(len) + syn_fin;
    s.frames++;
    if (len == 0 && syn_fin == 0) s.acks++;
  }
  return s;
}

// The server application, as skiff-httpd: accept, read the request, send
// the page, close. `sink` mode reads and discards everything instead.
class App final : public TcpEventHandler {
 public:
  explicit App(StackCore& stack, bool sink) : stack_(stack), sink_(sink) {}
  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      last = s;
      Serve(s);
    }
  }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (ev & (TcpEvent::kReadable | TcpEvent::kClosed)) Serve(s);
  }
  SocketId last;
  uint64_t bytes = 0;

 private:
  void Serve(SocketId s) {
    for (;;) {
      RecvResult r = stack_.Recv(s, buf_);
      if (!r.ok()) {
        if (r.error() != RecvError::kWouldBlock) stack_.Close(s);
        return;
      }
      bytes += r.value();
      if (!sink_ && r.value() >= kHttpRequest.size()) {
        stack_.Send(s, Bytes(kHttpResponse));
        stack_.Close(s);
        return;
      }
    }
  }
  StackCore& stack_;
  bool sink_;
  std::byte buf_[4096];
};

// A server StackCore on a TestChannel that already knows the client's MAC.
struct Server {
  explicit Server(bool sink, Duration time_wait = Duration::Millis(1),
                  DeviceCaps caps = {})
      : channel(MicroPool(), kServerMac, 1500, caps),
        stack(channel, Config(time_wait)),
        app(stack, sink) {
    stack.SetEventHandler(&app);
    stack.Listen(80, 1024);
    stack.Start(clock.Now());
    channel.Inject(ArpRequestFrame());
    Poll();
    channel.TakeSentPackets();
  }
  static StackConfig Config(Duration time_wait) {
    StackConfig c{.address = {kServerIp, 24}};
    c.tcp.connection.time_wait = time_wait;
    // Simulated time runs ~2 ms per connection: keep the client's ARP entry
    // for the whole run (the peer does not answer ARP).
    c.arp.reachable_time = Duration::Seconds(int64_t{1} << 30);
    return c;
  }
  // One loop turn; returns its duration in ns. With `hooks`, the turn also
  // does what LcoreHost adds after each (apps/common/app_host.h): poll the
  // telemetry mailbox and check the --stats_interval ticker (enabled).
  int64_t Poll() {
    clock.Advance(Duration::Micros(1));
    auto t0 = std::chrono::steady_clock::now();
    stack.Poll(clock.Now());
    if (hooks) AfterTurn();
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0)
        .count();
  }
  ~Server() { std::fclose(devnull); }
  void AfterTurn() {
    mailbox.Poll(stack, clock.Now());
    stats.Tick(clock.Now(), stack, [] { return std::optional<uint64_t>(); });
  }
  ManualClock clock;
  TestChannel channel;
  StackCore stack;
  App app;
  bool hooks = false;
  SnapshotMailbox mailbox;
  std::FILE* devnull = std::fopen("/dev/null", "w");
  StatsTicker stats{Duration::Seconds(1), devnull};
};

// range(0) == 0: the client ends with FIN+ACK (the server, having closed
// first, holds TIME-WAIT: 1 ms here, reaped by the timer wheel on a later
// turn, which is counted). 1: the client resets (as skiff-bench's client).
void BM_ShortConnection(benchmark::State& state) {
  const bool rst = state.range(0) == 1;
  Server srv(/*sink=*/false);
  FrameTemplate syn(TcpFlag::kSyn, {}, true);
  FrameTemplate req(TcpFlag::kAck | TcpFlag::kPsh, Bytes(kHttpRequest), false);
  FrameTemplate fin(TcpFlag::kFin | TcpFlag::kAck, {}, false);
  FrameTemplate reset(TcpFlag::kRst, {}, false);
  const uint32_t req_len = static_cast<uint32_t>(kHttpRequest.size());
  uint16_t port = 1024;
  int64_t server_ns = 0;
  uint64_t frames_out = 0;
  auto wall0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    port = port == 65535 ? 1024 : port + 1;
    const uint32_t c = 1000;  // the client's ISN
    srv.channel.Inject(syn.Make(port, c, 0));
    server_ns += srv.Poll();
    const uint32_t s = Read(srv.channel).next;  // server ISN + 1
    srv.channel.Inject(req.Make(port, c + 1, s));
    server_ns += srv.Poll();
    const Sent page = Read(srv.channel);
    srv.channel.Inject(rst ? reset.Make(port, c + 1 + req_len, 0)
                           : fin.Make(port, c + 1 + req_len, page.next));
    server_ns += srv.Poll();
    srv.clock.Advance(Duration::Millis(2));  // past TIME-WAIT
    server_ns += srv.Poll();
    frames_out += 2 + page.frames + Read(srv.channel).frames;
    state.SetIterationTime(static_cast<double>(server_ns) * 1e-9);
    server_ns = 0;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["wall_ns"] = std::chrono::duration<double, std::nano>(
                                  std::chrono::steady_clock::now() - wall0)
                                  .count() /
                              n;
  state.counters["frames_out"] = static_cast<double>(frames_out) / n;
  state.counters["conns_left"] =
      static_cast<double>(srv.stack.tcp().connection_count());
  if (getenv("SKIFF_MICRO_COUNTERS") != nullptr)
    std::fprintf(stderr, "%s\n", srv.stack.FormatCounters().c_str());
}
BENCHMARK(BM_ShortConnection)->ArgName("rst")->Arg(0)->Arg(1)->UseManualTime();

// A frame as a NIC with checksum offload hands it over: verified by the
// port and flagged GOOD in ol_flags (the frame's sums are right; the
// stack trusts the flags, as with DpdkPort).
void InjectVerified(TestChannel& ch, ConstByteSpan frame) {
  Packet p = ch.pool().Alloc();
  std::byte* dst = p.Append(static_cast<uint16_t>(frame.size()));
  std::memcpy(dst, frame.data(), frame.size());
  p.mbuf()->ol_flags |=
      RxChecksumFlags(p.mbuf(), ChecksumsWritten{.ip = true, .tcp = true});
  ch.InjectPacket(std::move(p));
}

// range(0) == 1: with the loop hooks (telemetry mailbox, stats ticker).
// range(1) == 1: the port offers checksum offload both ways, as a NIC (or
// skiff-bench's --wire_offload) does; 0: software checksums both ways.
// range(2): segments per loop turn (rx burst); the time is per turn, the
// `seg_ns` counter per segment. At 32 the ACK policy sends one ACK per turn (an
// ACK is owed, not queued per segment), as Linux does for a GRO'd burst.
void BM_DataSegment(benchmark::State& state) {
  const bool nic = state.range(1) == 1;
  const int burst = static_cast<int>(state.range(2));
  Server srv(/*sink=*/true, Duration::Millis(1),
             nic ? kChecksumOffloadCaps : DeviceCaps{});
  srv.hooks = state.range(0) == 1;
  FrameTemplate syn(TcpFlag::kSyn, {}, true);
  std::vector<std::byte> payload = PatternBytes(1460);
  FrameTemplate ack(TcpFlag::kAck, {}, false);
  FrameTemplate data(TcpFlag::kAck, payload, false);
  const uint16_t port = 4242;
  uint32_t c = 1000;
  srv.channel.Inject(syn.Make(port, c, 0));
  srv.Poll();
  const uint32_t s = Read(srv.channel).next;
  ++c;
  srv.channel.Inject(ack.Make(port, c, s));
  srv.Poll();
  Read(srv.channel);
  int64_t server_ns = 0;
  int64_t total_ns = 0;
  uint64_t acks = 0;
  auto wall0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (int i = 0; i < burst; ++i) {
      const ConstByteSpan f = data.Make(port, c, s);
      if (nic) {
        InjectVerified(srv.channel, f);
      } else {
        srv.channel.Inject(f);
      }
      c += 1460;
    }
    server_ns += srv.Poll();
    acks += Read(srv.channel).acks;
    state.SetIterationTime(static_cast<double>(server_ns) * 1e-9);
    total_ns += server_ns;
    server_ns = 0;
  }
  const double n = static_cast<double>(state.iterations()) * burst;
  state.counters["seg_ns"] = static_cast<double>(total_ns) / n;
  state.counters["wall_ns"] = std::chrono::duration<double, std::nano>(
                                  std::chrono::steady_clock::now() - wall0)
                                  .count() /
                              n;
  state.counters["acks_per_seg"] = static_cast<double>(acks) / n;
  state.counters["bytes_read"] =
      static_cast<double>(srv.app.bytes) / n;  // 1460 when all is read
  state.SetBytesProcessed(static_cast<int64_t>(n) * 1460);
}
BENCHMARK(BM_DataSegment)
    ->ArgNames({"hooks", "nic", "burst"})
    ->Args({0, 0, 1})
    ->Args({1, 0, 1})
    ->Args({0, 1, 1})
    ->Args({0, 1, 32})
    ->UseManualTime();

// One idle loop turn (nothing received, nothing due): the floor a busy-poll
// loop pays per turn, without and with the loop hooks (range(0) == 1).
void BM_IdleTurn(benchmark::State& state) {
  Server srv(/*sink=*/true);
  const bool hooks = state.range(0) == 1;
  for (auto _ : state) {
    srv.clock.Advance(Duration::Nanos(100));
    srv.stack.Poll(srv.clock.Now());
    if (hooks) srv.AfterTurn();
  }
}
BENCHMARK(BM_IdleTurn)->ArgName("hooks")->Arg(0)->Arg(1);

}  // namespace
}  // namespace skiff::bench
