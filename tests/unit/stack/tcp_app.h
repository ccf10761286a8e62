// A small application for end-to-end TCP tests: every socket is a Flow that
// may send a deterministic byte pattern (source), read and hash whatever
// arrives (sink), or echo it back, and closes when its script says so.
// Hashes are 64-bit FNV-1a over the byte stream, so both ends of a transfer
// can be compared without keeping the bytes.
#ifndef SKIFF_TESTS_UNIT_STACK_TCP_APP_H_
#define SKIFF_TESTS_UNIT_STACK_TCP_APP_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "stack/stack_core.h"

namespace skiff::testing {

struct Fnv64 {
  uint64_t h = 14695981039346656037ull;
  void Add(const std::byte* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<uint8_t>(p[i]);
      h *= 1099511628211ull;
    }
  }
};

// Byte `offset` of stream `seed`: cheap, position-dependent, not periodic
// within 2^32 bytes (a misplaced segment changes the hash).
inline std::byte PatternByte(uint64_t seed, uint64_t offset) {
  uint64_t x = (offset + 1) * 0x9E3779B97F4A7C15ull ^ seed;
  x ^= x >> 29;
  return static_cast<std::byte>(x * 0xBF58476D1CE4E5B9ull >> 56);
}

struct Flow {
  // --- script ---
  uint64_t send_total = 0;        // pattern bytes to send
  uint64_t seed = 1;              // pattern of what we send
  bool echo = false;              // send back what arrives
  bool close_when_sent = true;    // Close() once send_total is out (and, for
                                  // an echo, once the peer's EOF came)
  bool close_on_eof = true;       // Close() when the peer's FIN was read
  bool shutdown_instead = false;  // Shutdown() instead of Close() when sent
  // --- progress ---
  uint64_t sent = 0;
  Fnv64 sent_hash;
  uint64_t received = 0;
  Fnv64 rx_hash;
  bool connected = false;
  bool eof = false;
  bool reset = false;       // Recv said kReset or kError came
  bool closed_ev = false;   // kClosed came
  bool app_closed = false;  // we called Close()
  bool shut = false;
  std::vector<std::byte> echo_backlog;
};

class TcpApp : public TcpEventHandler {
 public:
  explicit TcpApp(StackCore& stack) : stack_(stack) {
    stack.SetEventHandler(this);
  }

  // Accepted sockets start with this script.
  Flow accept_script;
  std::function<void(SocketId)> on_accept;
  std::function<void(SocketId, Flow&)> on_done;  // after Close()
  absl::flat_hash_map<SocketId, Flow> flows;
  uint64_t accepted = 0;
  uint64_t finished = 0;  // flows we closed

  SocketId Connect(Ipv4Address ip, uint16_t port, Flow script) {
    ConnectResult r = stack_.Connect(ip, port);
    if (!r.ok()) return SocketId{};
    flows[r.value()] = script;
    return r.value();
  }

  void OnAcceptable(ListenerId l) override {
    for (SocketId s = stack_.Accept(l); s.valid(); s = stack_.Accept(l)) {
      ++accepted;
      Flow& f = flows[s];
      f = accept_script;
      f.connected = true;
      if (on_accept) on_accept(s);
      Pump(s, f);
    }
  }

  void OnSocketEvent(SocketId s, uint8_t ev) override {
    auto it = flows.find(s);
    if (it == flows.end()) return;
    Flow& f = it->second;
    if (ev & TcpEvent::kConnected) f.connected = true;
    if (ev & TcpEvent::kError) f.reset = true;
    if (ev & TcpEvent::kClosed) f.closed_ev = true;
    Pump(s, f);
  }

  // Reads everything readable, sends what the window takes, closes when the
  // script is complete.
  void Pump(SocketId s, Flow& f) {
    if (f.app_closed) return;
    std::byte buf[16384];
    while (!f.eof && !f.reset) {
      RecvResult r = stack_.Recv(s, buf);
      if (!r.ok()) {
        if (r.error() == RecvError::kEof) f.eof = true;
        if (r.error() == RecvError::kReset) f.reset = true;
        break;
      }
      f.received += r.value();
      f.rx_hash.Add(buf, r.value());
      if (f.echo)
        f.echo_backlog.insert(f.echo_backlog.end(), buf, buf + r.value());
    }
    if (f.connected && !f.shut) SendSome(s, f);
    const bool sent_all =
        f.echo ? (f.eof && f.echo_backlog.empty()) : f.sent == f.send_total;
    if (!f.shut && f.close_when_sent && sent_all && f.connected) {
      if (f.shutdown_instead) {
        stack_.Shutdown(s);
        f.shut = true;
      } else {
        Finish(s, f);
        return;
      }
    }
    if ((f.eof && f.close_on_eof &&
         (f.shut || !f.close_when_sent || sent_all)) ||
        f.reset) {
      Finish(s, f);
    }
  }

  void Finish(SocketId s, Flow& f) {
    if (f.app_closed) return;
    f.app_closed = true;
    stack_.Close(s);
    ++finished;
    if (on_done) on_done(s, f);
  }

 private:
  void SendSome(SocketId s, Flow& f) {
    std::byte buf[16384];
    if (f.echo) {
      while (!f.echo_backlog.empty()) {
        SendResult r = stack_.Send(s, f.echo_backlog);
        if (!r.ok() || r.value() == 0) return;
        f.sent_hash.Add(f.echo_backlog.data(), r.value());
        f.sent += r.value();
        f.echo_backlog.erase(f.echo_backlog.begin(),
                             f.echo_backlog.begin() + r.value());
      }
      return;
    }
    while (f.sent < f.send_total) {
      const size_t n = static_cast<size_t>(
          std::min<uint64_t>(sizeof(buf), f.send_total - f.sent));
      for (size_t i = 0; i < n; ++i) buf[i] = PatternByte(f.seed, f.sent + i);
      SendResult r = stack_.Send(s, ConstByteSpan(buf, n));
      if (!r.ok() || r.value() == 0) return;
      f.sent_hash.Add(buf, r.value());
      f.sent += r.value();
    }
  }

  StackCore& stack_;
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_TCP_APP_H_
