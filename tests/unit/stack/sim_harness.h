// Pieces of the seeded whole-stack simulation (sim_seeds_test.cc):
//  - SimRng: SplitMix64, the same sequence on every platform, so a seed
//    replays exactly;
//  - Tap: a Device in front of a SimWire endpoint that can cut the link
//    (a peer that vanishes: every frame it is given is dropped) and hold
//    frames back for a while (a delay spike: queueing delay in front of the
//    wire, order kept);
//  - SimApp: the application on one stack. Each connection end sends a
//    seeded byte stream, checks every byte it receives against the peer's
//    stream at that offset (exactly once, in order), and closes the way its
//    script says: Close after its peer's EOF, Shutdown then Close, Close at
//    once, or Abort part-way.
#ifndef SKIFF_TESTS_UNIT_STACK_SIM_HARNESS_H_
#define SKIFF_TESTS_UNIT_STACK_SIM_HARNESS_H_

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/stack_core.h"
#include "stack/wire/bytes.h"
#include "tests/unit/stack/tcp_app.h"

namespace skiff::testing {

class SimRng {
 public:
  explicit SimRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  uint64_t Between(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Roll(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

class Tap final : public Device {
 public:
  Tap(Device& inner, Clock& clock) : inner_(inner), clock_(clock) {}

  size_t RxBurst(std::span<Packet> out) override { return inner_.RxBurst(out); }
  size_t TxBurst(std::span<Packet> pkts) override {
    if (trace_port_ != 0) {
      for (const Packet& p : pkts) Trace(p);
    }
    if (cut_) {
      for (Packet& p : pkts) Packet gone = std::move(p);
      dropped_ += pkts.size();
      return pkts.size();
    }
    if (extra_ == Duration::Zero() && held_.empty()) {
      return inner_.TxBurst(pkts);
    }
    const Instant due = clock_.Now() + extra_;
    for (Packet& p : pkts) held_.push_back({due, std::move(p)});
    return pkts.size();
  }
  MacAddress mac() const override { return inner_.mac(); }
  uint16_t mtu() const override { return inner_.mtu(); }
  DeviceCaps caps() const override { return inner_.caps(); }
  PacketPool& pool() override { return inner_.pool(); }

  // From now on every frame is dropped (held ones too).
  void Cut() {
    cut_ = true;
    dropped_ += held_.size();
    held_.clear();
  }
  // Frames sent from now on wait `extra` before they reach the wire.
  void SetExtraDelay(Duration extra) { extra_ = extra; }
  // Passes on held frames that are due, in order.
  void Release(Instant now) {
    while (!held_.empty() && held_.front().due <= now) {
      if (inner_.TxBurst({&held_.front().p, 1}) != 1) return;
      held_.pop_front();
    }
  }
  Instant NextRelease() const {
    return held_.empty() ? Instant::Max() : held_.front().due;
  }
  uint64_t dropped() const { return dropped_; }
  // Prints every TCP segment to or from `port` this side sends (replays).
  void TraceTcpPort(uint16_t port, const char* name) {
    trace_port_ = port;
    name_ = name;
  }

 private:
  void Trace(const Packet& p) const {
    ConstByteSpan f = p.data();
    if (f.size() < 34 || LoadBe16(&f[12]) != 0x0800 || f[23] != std::byte{6})
      return;
    const size_t ihl = (static_cast<size_t>(f[14]) & 0xf) * 4;
    if (f.size() < 14 + ihl + 20) return;
    const std::byte* t = &f[14 + ihl];
    const uint16_t sport = LoadBe16(t), dport = LoadBe16(t + 2);
    if (sport != trace_port_ && dport != trace_port_) return;
    const uint8_t fl = static_cast<uint8_t>(t[13]);
    const size_t len =
        LoadBe16(&f[16]) - ihl - (static_cast<size_t>(t[12]) >> 4) * 4;
    std::printf("%.6f %s %u>%u %s%s%s%s%s seq %u ack %u win %u len %zu\n",
                (clock_.Now() - Instant::FromNanos(1'000'000'000)).seconds(),
                name_, sport, dport, fl & 2 ? "S" : "", fl & 1 ? "F" : "",
                fl & 4 ? "R" : "", fl & 8 ? "P" : "", fl & 16 ? "." : "",
                LoadBe32(t + 4), LoadBe32(t + 8), LoadBe16(t + 14), len);
  }

  struct Held {
    Instant due;
    Packet p;
  };
  Device& inner_;
  Clock& clock_;
  bool cut_ = false;
  Duration extra_ = Duration::Zero();
  std::deque<Held> held_;
  uint64_t dropped_ = 0;
  uint16_t trace_port_ = 0;
  const char* name_ = "";
};

enum class CloseMode : uint8_t {
  kCloseAfterEof,    // send all, wait for the peer's FIN, Close
  kShutdownThenEof,  // send all, Shutdown, wait for the peer's FIN, Close
  kCloseWhenSent,    // send all, Close (unread data later draws a RST)
  kAbortPartWay,     // Abort once `abort_at` bytes are sent
};
inline const char* CloseModeName(CloseMode m) {
  switch (m) {
    case CloseMode::kCloseAfterEof:
      return "close-after-eof";
    case CloseMode::kShutdownThenEof:
      return "shutdown";
    case CloseMode::kCloseWhenSent:
      return "close-when-sent";
    case CloseMode::kAbortPartWay:
      return "abort";
  }
  return "?";
}

// One end of one connection: its script and what happened.
struct SimEnd {
  // --- script ---
  uint64_t to_send = 0;
  uint64_t send_seed = 0;  // PatternByte stream we send
  uint64_t recv_seed = 0;  // PatternByte stream the peer sends
  CloseMode mode = CloseMode::kCloseAfterEof;
  uint64_t abort_at = 0;
  Instant stall_from = Instant::Max();  // no Recv in [stall_from, stall_to)
  Instant stall_to = Instant::Max();
  bool keepalive = false;
  // --- progress ---
  SocketId socket;
  bool opened = false;  // Connect succeeded / accepted
  bool connected = false;
  uint64_t sent = 0;
  uint64_t received = 0;
  bool eof = false;
  bool shut = false;
  bool errored = false;
  ConnectionError error = ConnectionError::kNone;
  Instant error_at = Instant::Max();
  bool released = false;  // Close() or Abort() called
  bool aborted = false;
  TcpState state = TcpState::kClosed;  // last seen before letting go
  Instant released_at = Instant::Max();
  std::string bad;  // first invariant violation seen
};

inline std::string Describe(const SimEnd& e) {
  return absl::StrFormat(
      "mode %s send %u/%u recv %u eof %d state %s err %s%s released %d%s",
      CloseModeName(e.mode), e.sent, e.to_send, e.received, e.eof,
      TcpStateName(e.state), ConnectionErrorName(e.error),
      e.errored ? "(ev)" : "", e.released,
      e.bad.empty() ? "" : " BAD: " + e.bad);
}

class SimApp final : public TcpEventHandler {
 public:
  explicit SimApp(StackCore& stack) : stack_(stack) {
    stack.SetEventHandler(this);
  }

  std::vector<SimEnd> ends;  // by connection index
  // Server side: which listener serves which connection index.
  absl::flat_hash_map<SlabHandle, size_t> index_by_listener;
  uint64_t strays = 0;  // extra connections accepted (then closed)

  void Open(size_t i, Ipv4Address ip, uint16_t port) {
    ConnectResult r = stack_.Connect(ip, port);
    if (!r.ok()) {
      ends[i].bad = "Connect failed";
      ends[i].released = true;
      return;
    }
    Attach(i, r.value());
  }

  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      auto it = index_by_listener.find(l.handle);
      if (it == index_by_listener.end() || ends[it->second].opened) {
        // A second connection on the same listener (an old duplicate SYN
        // after an abort): legal, not scripted; let it go.
        ++strays;
        stack_.Abort(s);
        continue;
      }
      Attach(it->second, s);
      ends[it->second].connected = true;
      Pump(it->second);
    }
  }

  void OnSocketEvent(SocketId s, uint8_t ev) override {
    auto it = by_socket_.find(s);
    if (it == by_socket_.end()) return;
    SimEnd& e = ends[it->second];
    if (ev & TcpEvent::kConnected) e.connected = true;
    if (ev & TcpEvent::kError) {
      e.errored = true;
      if (e.error_at == Instant::Max()) e.error_at = now_;
      if (const Connection* c = stack_.Find(s)) e.error = c->error();
    }
    Pump(it->second);
  }

  // Turn-independent work (a read stall ending): every turn.
  void PumpAll(Instant now) {
    now_ = now;
    for (size_t i = 0; i < ends.size(); ++i) Pump(i);
  }
  void SetNow(Instant now) { now_ = now; }

  // Reads what is readable (checking every byte), sends what fits, and
  // closes as scripted.
  void Pump(size_t i) {
    SimEnd& e = ends[i];
    if (!e.opened || e.released) return;
    if (const Connection* c = stack_.Find(e.socket)) e.state = c->state();
    Read(e);
    if (e.connected && !e.shut && !e.errored) Write(e);
    if (e.mode == CloseMode::kAbortPartWay && e.sent >= e.abort_at &&
        (e.connected || e.errored)) {
      e.aborted = true;
      return Release(e, /*abort=*/true);
    }
    if (e.errored) return Release(e, false);
    const bool all_sent = e.connected && e.sent == e.to_send;
    const bool stalled = now_ >= e.stall_from && now_ < e.stall_to;
    switch (e.mode) {
      case CloseMode::kCloseWhenSent:
        if (all_sent && !stalled) Release(e, false);
        break;
      case CloseMode::kShutdownThenEof:
        if (all_sent && !e.shut) {
          stack_.Shutdown(e.socket);
          e.shut = true;
        }
        if (e.shut && e.eof) Release(e, false);
        break;
      case CloseMode::kCloseAfterEof:
      case CloseMode::kAbortPartWay:  // abort_at not reached: ends cleanly
        if (all_sent && e.eof) Release(e, false);
        break;
    }
  }

 private:
  void Attach(size_t i, SocketId s) {
    SimEnd& e = ends[i];
    e.socket = s;
    e.opened = true;
    by_socket_[s] = i;
    if (e.keepalive) {
      if (Connection* c = stack_.Find(s)) c->SetKeepAlive(true, now_);
    }
  }

  void Read(SimEnd& e) {
    if (now_ >= e.stall_from && now_ < e.stall_to) return;
    std::byte buf[8192];
    while (!e.eof) {
      RecvResult r = stack_.Recv(e.socket, buf);
      if (!r.ok()) {
        if (r.error() == RecvError::kEof) e.eof = true;
        if (r.error() == RecvError::kReset && !e.errored) {
          e.errored = true;
          e.error_at = now_;
          if (const Connection* c = stack_.Find(e.socket)) e.error = c->error();
        }
        return;
      }
      for (size_t k = 0; k < r.value(); ++k) {
        if (buf[k] != PatternByte(e.recv_seed, e.received + k) &&
            e.bad.empty()) {
          e.bad =
              absl::StrFormat("byte %u of the stream is wrong", e.received + k);
        }
      }
      e.received += r.value();
    }
  }

  void Write(SimEnd& e) {
    std::byte buf[8192];
    while (e.sent < e.to_send) {
      const size_t n = static_cast<size_t>(
          std::min<uint64_t>(sizeof(buf), e.to_send - e.sent));
      for (size_t k = 0; k < n; ++k)
        buf[k] = PatternByte(e.send_seed, e.sent + k);
      SendResult r = stack_.Send(e.socket, ConstByteSpan(buf, n));
      if (!r.ok() || r.value() == 0) return;
      e.sent += r.value();
    }
  }

  void Release(SimEnd& e, bool abort) {
    e.released = true;
    e.released_at = now_;
    by_socket_.erase(e.socket);
    if (abort) {
      stack_.Abort(e.socket);
    } else {
      stack_.Close(e.socket);
    }
  }

  StackCore& stack_;
  Instant now_;
  absl::flat_hash_map<SocketId, size_t> by_socket_;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_SIM_HARNESS_H_
