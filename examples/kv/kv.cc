// skiff-kv: a tiny key-value server over TCP, an appliance built on an
// installed libskiff through its public headers only.
//
//   skiff-kv [EAL args] -- A.B.C.D/N [PORT]      (PORT defaults to 6379)
//
// One request per line (at most kMaxLine bytes), one answer line each:
//   SET key value  ->  OK
//   GET key        ->  VALUE value   or  NOT_FOUND
//   DEL key        ->  DELETED       or  NOT_FOUND
//   anything else  ->  ERROR unknown command
// Try it from the Linux side: `printf 'SET a 1\nGET a\n' | nc -q1 IP 6379`.
// SIGINT or SIGTERM stops it; it prints one "skiff-kv: stopped:" line and
// the stack's counters.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "skiff/dpdk.h"   // DpdkHost: EAL and one port as a Device
#include "skiff/stack.h"  // Stack, sockets, events, errors

namespace {

constexpr size_t kMaxLine = 1 << 20;  // a longer request closes the socket
constexpr size_t kMaxPending = 4
                               << 20;  // unsent answers before we stop reading

std::atomic<bool> stop{false};  // all a signal handler may touch

// The store and its protocol, free of sockets: one request line in, one
// answer line out.
class Store {
 public:
  std::string Answer(std::string_view line) {
    const size_t sp = line.find(' ');
    const std::string_view verb = line.substr(0, sp);
    std::string_view rest =
        sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    if (verb == "SET") {
      const size_t sp2 = rest.find(' ');
      if (sp2 == std::string_view::npos)
        return "ERROR SET wants a key and a value";
      map_[std::string(rest.substr(0, sp2))] =
          std::string(rest.substr(sp2 + 1));
      return "OK";
    }
    if (verb == "GET") {
      auto it = map_.find(std::string(rest));
      return it == map_.end() ? "NOT_FOUND" : "VALUE " + it->second;
    }
    if (verb == "DEL")
      return map_.erase(std::string(rest)) ? "DELETED" : "NOT_FOUND";
    return "ERROR unknown command";
  }
  size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, std::string> map_;
};

// One client: the bytes of a request line not complete yet, and answers
// the send buffer has not taken yet.
struct Client {
  std::string in;
  std::string out;
  bool eof = false;
};

// The socket side: readiness in, answers out. Events are edge-triggered,
// so each one reads until kWouldBlock.
class KvServer final : public skiff::EventHandler {
 public:
  KvServer(skiff::Stack& stack, Store& store) : stack_(stack), store_(store) {}

  void OnAcceptable(skiff::ListenerId listener) override {
    for (auto s = stack_.Accept(listener); s.ok();
         s = stack_.Accept(listener)) {
      clients_.emplace(s.value(), Client{});
      ++accepted_;
    }
  }

  void OnSocketEvent(skiff::SocketId s, skiff::TcpEvents events) override {
    auto it = clients_.find(s);
    if (it == clients_.end()) return;
    if (skiff::Has(events, skiff::TcpEvents::kError)) return Drop(s);
    Client& c = it->second;
    // Flow control: while answers wait, read nothing more; the receive
    // window closes and TCP slows the client down.
    if (Flush(s, c) && !c.eof) Read(s, c);
    if (c.eof && c.out.empty()) Drop(s);
  }

  size_t accepted() const { return accepted_; }

 private:
  void Read(skiff::SocketId s, Client& c) {
    std::byte buf[4096];
    while (c.out.size() < kMaxPending) {
      auto r = stack_.Recv(s, buf);
      if (!r.ok()) {
        if (r.error() != skiff::RecvError::kWouldBlock) c.eof = true;
        break;
      }
      c.in.append(reinterpret_cast<const char*>(buf), r.value());
      size_t start = 0;
      for (size_t nl; (nl = c.in.find('\n', start)) != std::string::npos;
           start = nl + 1) {
        c.out +=
            store_.Answer(std::string_view(c.in).substr(start, nl - start));
        c.out += '\n';
      }
      c.in.erase(0, start);
      if (c.in.size() > kMaxLine) c.eof = true;  // not our protocol
      if (!Flush(s, c)) break;
    }
  }

  // Sends what waits; true when all of it went.
  bool Flush(skiff::SocketId s, Client& c) {
    if (c.out.empty()) return true;
    auto r = stack_.Send(s, skiff::AsBytes(c.out.data(), c.out.size()));
    if (r.ok()) c.out.erase(0, r.value());
    return c.out.empty();
  }

  void Drop(skiff::SocketId s) {
    clients_.erase(s);
    stack_.Close(s);
  }

  skiff::Stack& stack_;
  Store& store_;
  std::unordered_map<skiff::SocketId, Client> clients_;
  size_t accepted_ = 0;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "skiff-kv: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // EAL's arguments come first; ours follow "--".
  int consumed = 0;
  std::string error;
  std::unique_ptr<skiff::DpdkHost> host =
      skiff::DpdkHost::Start(argc, argv, {}, &consumed, &error);  // port 0
  if (!host) return Fail(error);
  argc -= consumed;
  argv += consumed;
  if (argc < 2 || argc > 3)
    return Fail("usage: skiff-kv [EAL args] -- A.B.C.D/N [PORT]");
  std::optional<skiff::Ipv4Cidr> ip = skiff::Ipv4Cidr::Parse(argv[1]);
  const int port = argc == 3 ? std::atoi(argv[2]) : 6379;
  if (!ip || port <= 0 || port > 65535) return Fail("bad address or port");

  Store store;
  {
    skiff::Config config;  // documented defaults but the address
    config.address = *ip;
    skiff::Stack stack(host->device(), config);
    KvServer server(stack, store);
    stack.SetEventHandler(&server);
    if (!stack.Listen(static_cast<uint16_t>(port), /*backlog=*/256).ok()) {
      return Fail("cannot listen");
    }
    std::signal(SIGINT, [](int) { stop = true; });
    std::signal(SIGTERM, [](int) { stop = true; });
    skiff::MonotonicClock clock;
    stack.Start(clock.Now());
    std::printf("skiff-kv: up: %s port %d mac %s\n", ip->ToString().c_str(),
                port, host->mac().ToString().c_str());
    std::fflush(stdout);
    while (!stop) stack.Poll(clock.Now());
    std::printf("skiff-kv: stopped: %zu connections served, %zu keys\n",
                server.accepted(), store.size());
    stack.ForEachCounter([](std::string_view name, uint64_t value) {
      std::printf("%-32.*s %llu\n", static_cast<int>(name.size()), name.data(),
                  static_cast<unsigned long long>(value));
    });
  }
  return 0;
}
