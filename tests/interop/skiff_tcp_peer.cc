// skiff_tcp_peer: one TCP connection through skiff on a DPDK port, for the
// interop tests against the Linux kernel (tests/interop/tcp_*.sh).
//
//   skiff_tcp_peer [EAL args] -- --ip=10.89.5.2/24 --mode=server --port=5001
//       [--send_file=F] [--recv_file=G] [--close=first|second]
//   skiff_tcp_peer [EAL args] -- --ip=10.89.5.2/24 --mode=client
//       --connect=10.89.5.1:5001 [--send_file=F] [--recv_file=G] [...]
//
// It sends the bytes of --send_file (if any) while writing everything it
// receives to --recv_file; the script compares files. --close=first: skiff
// sends its FIN as soon as its data is out (it closes first); second: it
// waits for the peer's FIN before sending its own. Exits 0 when the
// connection ended cleanly (EOF received, no RST, everything sent), 1 on
// error or after --timeout_s.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "apps/common/app_host.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"
#include "stack/wire/addr.h"

// --ip and the other host flags: apps/common/app_host.h.
ABSL_FLAG(std::string, mode, "server", "server or client");
ABSL_FLAG(int, port, 5001, "server: the port to listen on");
ABSL_FLAG(std::string, connect, "", "client: IP:PORT of the Linux server");
ABSL_FLAG(std::string, send_file, "", "bytes to send (none if empty)");
ABSL_FLAG(std::string, recv_file, "", "where received bytes go");
ABSL_FLAG(std::string, close, "first",
          "first: FIN when sent; second: FIN "
          "after the peer's FIN");
ABSL_FLAG(int, timeout_s, 60, "give up after this long");
// Faults on skiff's side of the wire, for kernels without sch_netem: each
// received frame is dropped with --fault_loss or held back behind the
// next burst with --fault_reorder; each sent frame is dropped with
// --fault_loss.
ABSL_FLAG(double, fault_loss, 0, "drop probability per frame, both ways");
ABSL_FLAG(double, fault_reorder, 0, "reorder probability per received frame");
ABSL_FLAG(uint64_t, fault_seed, 1, "seed of the fault generator");

namespace skiff {
namespace {

constexpr char kName[] = "skiff_tcp_peer";

// A Device in front of the port that loses and reorders frames (seeded).
class FaultyDevice final : public Device {
 public:
  FaultyDevice(Device& inner, double loss, double reorder, uint64_t seed)
      : inner_(inner), loss_(loss), reorder_(reorder), rng_(seed) {}
  size_t RxBurst(std::span<Packet> out) override {
    // Room for what is held back, which goes out after this burst's frames.
    const size_t room = out.size() - held_.size();
    const size_t n = inner_.RxBurst(out.first(room));
    size_t k = 0;
    std::vector<Packet> release = std::move(held_);
    held_.clear();
    for (size_t i = 0; i < n; ++i) {
      const double u = coin_(rng_);
      if (u < loss_) {
        Packet drop = std::move(out[i]);
        ++lost;
      } else if (u < loss_ + reorder_ && held_.size() < 4) {
        held_.push_back(std::move(out[i]));
        ++reordered;
      } else {
        out[k++] = std::move(out[i]);
      }
    }
    for (Packet& p : release) out[k++] = std::move(p);
    return k;
  }
  size_t TxBurst(std::span<Packet> pkts) override {
    for (Packet& p : pkts) {
      if (coin_(rng_) < loss_) {
        Packet drop = std::move(p);
        ++lost;
      }
    }
    // Dropped slots are empty packets: pass the rest, count all as taken.
    size_t k = 0;
    for (Packet& p : pkts) {
      if (p) pkts[k++] = std::move(p);
    }
    // What the port refuses is dropped too (one more loss), so that the
    // caller never sees an empty slot among its leftovers.
    const size_t sent = inner_.TxBurst(pkts.first(k));
    for (size_t i = sent; i < k; ++i) {
      Packet drop = std::move(pkts[i]);
      ++lost;
    }
    return pkts.size();
  }
  MacAddress mac() const override { return inner_.mac(); }
  uint16_t mtu() const override { return inner_.mtu(); }
  DeviceCaps caps() const override { return inner_.caps(); }
  PacketPool& pool() override { return inner_.pool(); }
  uint64_t lost = 0;
  uint64_t reordered = 0;

 private:
  Device& inner_;
  double loss_, reorder_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> coin_{0.0, 1.0};
  std::vector<Packet> held_;
};

class Peer : public TcpEventHandler {
 public:
  Peer(StackCore& stack, std::vector<std::byte> to_send, bool close_first)
      : stack_(stack), out_(std::move(to_send)), close_first_(close_first) {}

  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      if (sock_.valid()) {  // one connection per run
        stack_.Abort(s);
        continue;
      }
      sock_ = s;
      connected_ = true;
      Pump();
    }
  }
  void OnSocketEvent(SocketId s, uint8_t ev) override {
    if (!(s == sock_)) return;
    if (ev & TcpEvent::kConnected) connected_ = true;
    if (ev & TcpEvent::kError) failed_ = true;
    Pump();
  }
  void set_socket(SocketId s) { sock_ = s; }

  void Pump() {
    if (closed_ || !connected_) return;
    std::byte buf[16384];
    while (!eof_) {
      RecvResult r = stack_.Recv(sock_, buf);
      if (!r.ok()) {
        if (r.error() == RecvError::kEof) eof_ = true;
        if (r.error() == RecvError::kReset) failed_ = true;
        break;
      }
      in_.insert(in_.end(), buf, buf + r.value());
    }
    while (sent_ < out_.size()) {
      SendResult r = stack_.Send(
          sock_, ConstByteSpan(out_.data() + sent_, out_.size() - sent_));
      if (!r.ok() || r.value() == 0) break;
      sent_ += r.value();
    }
    if (failed_) {
      closed_ = true;
      stack_.Close(sock_);
      return;
    }
    const bool all_sent = sent_ == out_.size();
    if (all_sent && !shut_ && (close_first_ || eof_)) {
      stack_.Shutdown(sock_);
      shut_ = true;
    }
    if (shut_ && eof_) {
      closed_ = true;
      stack_.Close(sock_);
    }
  }

  bool done() const { return closed_; }
  bool ok() const { return closed_ && !failed_ && eof_; }
  const std::vector<std::byte>& received() const { return in_; }
  size_t sent() const { return sent_; }

 private:
  StackCore& stack_;
  SocketId sock_;
  std::vector<std::byte> out_;
  std::vector<std::byte> in_;
  size_t sent_ = 0;
  bool close_first_;
  bool connected_ = false;
  bool eof_ = false;
  bool shut_ = false;
  bool failed_ = false;
  bool closed_ = false;
};

std::optional<std::vector<std::byte>> ReadFile(const std::string& path) {
  if (path.empty()) return std::vector<std::byte>{};
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::vector<char> c((std::istreambuf_iterator<char>(f)),
                      std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

int Run(const AppHost& host) {
  const bool server = absl::GetFlag(FLAGS_mode) == "server";
  std::optional<Ipv4Address> remote;
  int remote_port = 0;
  if (!server) {
    const std::string c = absl::GetFlag(FLAGS_connect);
    const size_t colon = c.find(':');
    if (colon != std::string::npos) {
      remote = Ipv4Address::Parse(std::string_view(c).substr(0, colon));
      remote_port = std::atoi(c.c_str() + colon + 1);
    }
    if (!remote || remote_port <= 0 || remote_port > 65535) {
      std::fprintf(stderr, "skiff_tcp_peer: bad --connect\n");
      return 2;
    }
  }
  std::optional<std::vector<std::byte>> data =
      ReadFile(absl::GetFlag(FLAGS_send_file));
  if (!data) {
    std::fprintf(stderr, "skiff_tcp_peer: cannot read --send_file\n");
    return 2;
  }
  const size_t to_send = data->size();
  // Faults go between the stack and the port.
  FaultyDevice* faulty = nullptr;
  const bool faults = absl::GetFlag(FLAGS_fault_loss) > 0 ||
                      absl::GetFlag(FLAGS_fault_reorder) > 0;
  auto wrap = [&](Device& inner) -> std::unique_ptr<Device> {
    if (!faults) return nullptr;
    auto d = std::make_unique<FaultyDevice>(
        inner, absl::GetFlag(FLAGS_fault_loss),
        absl::GetFlag(FLAGS_fault_reorder), absl::GetFlag(FLAGS_fault_seed));
    faulty = d.get();
    return d;
  };
  absl::StatusOr<std::unique_ptr<LcoreHost>> opened =
      LcoreHost::Open(host.lcore_config(), wrap);
  if (!opened.ok()) return AppHost::Fail(kName, opened.status());
  LcoreHost& lcore = **opened;
  StackCore& stack = lcore.stack();
  Peer peer(stack, std::move(*data), absl::GetFlag(FLAGS_close) == "first");
  stack.SetEventHandler(&peer);
  if (server) {
    if (!stack.Listen(static_cast<uint16_t>(absl::GetFlag(FLAGS_port))).ok()) {
      std::fprintf(stderr, "skiff_tcp_peer: listen failed\n");
      return 1;
    }
  } else {
    ConnectResult c =
        stack.Connect(*remote, static_cast<uint16_t>(remote_port));
    if (!c.ok()) {
      std::fprintf(stderr, "skiff_tcp_peer: connect failed (%d)\n",
                   static_cast<int>(c.error()));
      return 1;
    }
    peer.set_socket(c.value());
  }
  std::printf("skiff_tcp_peer: up: %s ip %s mac %s\n",
              lcore.port().Describe().c_str(),
              stack.config().address.ToString().c_str(),
              lcore.port().mac().ToString().c_str());
  std::fflush(stdout);
  const Instant deadline =
      lcore.Now() + Duration::Seconds(absl::GetFlag(FLAGS_timeout_s));
  Instant linger = Instant::Max();
  lcore.Run([&](Instant now) {
    if (now >= deadline) return false;
    stack.Poll(now);
    if (peer.done() && linger == Instant::Max()) {
      linger = now + Duration::Millis(300);  // last ACKs out
    }
    return now < linger;
  });
  const std::string recv_file = absl::GetFlag(FLAGS_recv_file);
  if (!recv_file.empty()) {
    std::ofstream f(recv_file, std::ios::binary);
    f.write(reinterpret_cast<const char*>(peer.received().data()),
            static_cast<std::streamsize>(peer.received().size()));
  }
  const int rc = peer.ok() && peer.sent() == to_send ? 0 : 1;
  std::printf(
      "skiff_tcp_peer: %s: received %zu sent %zu of %zu; connections "
      "left %zu; faults: lost %lu reordered %lu\ncounters:\n%s",
      rc == 0 ? "done" : "FAILED", peer.received().size(), peer.sent(), to_send,
      stack.tcp().connection_count(), faulty ? faulty->lost : 0,
      faulty ? faulty->reordered : 0, lcore.FormatCounters().c_str());
  std::fflush(stdout);
  return rc;
}

int Main(int argc, char** argv) {
  absl::StatusOr<std::unique_ptr<AppHost>> host =
      AppHost::Start(argc, argv,
                     {.name = kName,
                      .usage = "skiff_tcp_peer [EAL args] -- --ip=A.B.C.D/N "
                               "--mode=server|client ..."});
  if (!host.ok()) return AppHost::Fail(kName, host.status());
  return Run(**host);
}

}  // namespace
}  // namespace skiff

int main(int argc, char** argv) { return skiff::Main(argc, argv); }
