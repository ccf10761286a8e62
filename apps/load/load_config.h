// skiff-load's configuration and the kinds it counts: plain structs, one
// knob per field with its default beside it (STYLE.md §6).
#ifndef SKIFF_APPS_LOAD_LOAD_CONFIG_H_
#define SKIFF_APPS_LOAD_LOAD_CONFIG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stack/base/clock.h"
#include "stack/wire/addr.h"

namespace skiff::load {

enum class Workload : uint8_t {
  kCps,   // a new connection per request
  kRps,   // keep-alive requests over `concurrency` connections
  kCc,    // hold `concurrency` connections, a request every keepalive period
  kBulk,  // throughput over `concurrency` connections
};
enum class Protocol : uint8_t {
  kHttp,  // HTTP/1.1 GET, answers validated
  kRaw,   // send raw_send bytes, read raw_recv bytes
};
// How our side ends a connection: FIN (the 4-tuple then waits in TIME-WAIT
// on whichever side closed first; reused per RFC 6191) or RST (no TIME-WAIT).
enum class CloseMode : uint8_t { kFin, kRst };

// What went wrong with a request (or the connection carrying it).
enum class ErrorKind : uint8_t {
  kRefused,    // RST in answer to our SYN
  kTimeout,    // no answer within the timeout, or TCP gave up
  kReset,      // RST on an established connection
  kBadStatus,  // an HTTP status outside 200-399
  kParse,      // a malformed or truncated answer
  kClosed,     // the server closed before answering
  kOther,      // local: no port, no route, table full, unreachable
};
inline constexpr size_t kErrorKinds = 7;
std::string_view ErrorKindName(ErrorKind k);

std::optional<Workload> ParseWorkload(std::string_view s);
// "10.0.0.2-10.0.0.5", "10.0.0.2,10.0.0.9" or a mix (dperf's client
// lines): the addresses in order; nullopt when malformed, reversed, or
// more than `max` of them.
std::optional<std::vector<Ipv4Address>> ParseAddressList(std::string_view s,
                                                         size_t max = 4096);
std::string_view WorkloadName(Workload w);

struct LoadConfig {
  Workload workload = Workload::kCps;
  Protocol protocol = Protocol::kHttp;
  CloseMode close = CloseMode::kFin;
  Ipv4Address server;
  uint16_t port = 80;
  std::string path = "/";  // HTTP target
  std::string host;        // Host header; empty: the server's address
  size_t raw_send = 64;    // raw: bytes per request (bulk: per write)
  size_t raw_recv = 64;    // raw: bytes that complete an answer
  // Closed loop: requests in flight (cps) or connections (rps, cc, bulk).
  uint32_t concurrency = 1;
  // Open loop when > 0: new connections/s (cps) or requests/s (rps), paced;
  // latency counts from the intended send time (wrk2's correction of
  // coordinated omission).
  double rate = 0;
  // Open loop: requests waiting or in flight at most; beyond it intended
  // times queue up (and their latency grows, as it should).
  uint32_t max_in_flight = 100000;
  // Rate (or concurrency) climbs linearly from zero over this long.
  Duration ramp = Duration::Zero();
  Duration duration = Duration::Seconds(10);
  uint64_t count = 0;  // stop after this many requests (0: duration only)
  // A request (connect included) with no complete answer by then fails.
  Duration timeout = Duration::Seconds(5);
  // cc: the period of keep-alive requests on each held connection.
  Duration keepalive_interval = Duration::Seconds(1);
  // After the run, how long requests in flight may still finish.
  Duration drain = Duration::Seconds(2);
  // Local addresses to connect from, round robin; empty: the stack's own.
  std::vector<Ipv4Address> sources;
};

// Counters of one run (or one interval of it).
struct LoadCounters {
  uint64_t conns_opened = 0;       // Connect() calls that made a socket
  uint64_t conns_established = 0;  // reached ESTABLISHED
  uint64_t requests_sent = 0;      // requests started
  uint64_t requests_done = 0;      // answered and valid
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  std::array<uint64_t, kErrorKinds> errors{};

  uint64_t error_total() const {
    uint64_t n = 0;
    for (uint64_t e : errors) n += e;
    return n;
  }
  LoadCounters operator-(const LoadCounters& o) const;
};

}  // namespace skiff::load

#endif  // SKIFF_APPS_LOAD_LOAD_CONFIG_H_
