// HttpGetClient: skiff-get's logic on one StackCore (DESIGN.md steps 2, 5, 6).
// Each fetch: connect (the StackCore resolves the peer by ARP on the first
// send), send a GET with "Connection: close", parse the response with
// ResponseParser (Content-Length, chunked or close-delimited), hand the first
// response's body to a sink, wait for the server's FIN, close. `count`
// fetches run `concurrency` at a time; the first failure stops the run.
#ifndef SKIFF_APPS_GET_CLIENT_H_
#define SKIFF_APPS_GET_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "apps/http/response_parser.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"
#include "stack/wire/addr.h"

namespace skiff {

struct Url {
  Ipv4Address ip;
  uint16_t port = 80;
  std::string path = "/";
  std::string host;  // for the Host header: "ip[:port]"
};

// http://A.B.C.D[:port][/path]. Host names are refused with a message that
// says so: skiff has no resolver.
absl::StatusOr<Url> ParseUrl(std::string_view text);

struct GetConfig {
  Url url;
  uint32_t count = 1;
  uint32_t concurrency = 1;
  Duration timeout = Duration::Seconds(10);  // per fetch, connect included
};

struct GetStats {
  uint64_t completed = 0;
  uint64_t body_bytes = 0;  // all fetches
  int first_status = 0;
  std::string first_reason;
  std::vector<Duration> latencies;  // connect to response complete
};

class HttpGetClient final : public TcpEventHandler {
 public:
  using Sink = std::function<void(std::string_view)>;

  // `sink` receives the first response's body, piece by piece.
  HttpGetClient(StackCore& stack, GetConfig config, Sink sink);
  HttpGetClient(const HttpGetClient&) = delete;
  HttpGetClient& operator=(const HttpGetClient&) = delete;

  // Installs itself as the stack's handler and opens the first connections.
  void Start(Instant now);
  // One loop turn: StackCore::Poll, timeouts, new connections.
  void Poll(Instant now);
  bool done() const { return failed_ || stats_.completed == config_.count; }
  bool failed() const { return failed_; }
  // Why the run failed, in plain words; empty on success.
  const std::string& error() const { return error_; }
  const GetStats& stats() const { return stats_; }
  size_t in_flight() const { return fetches_.size(); }

  void OnAcceptable(ListenerId) override {}
  void OnSocketEvent(SocketId socket, uint8_t events) override;

 private:
  struct Fetch {
    bool first = false;
    bool connected = false;
    bool complete = false;  // response parsed; waiting for the FIN
    Instant started;
    size_t sent = 0;
    http::ResponseParser parser;
  };

  void Launch(Instant now);
  void SendRequest(SocketId s, Fetch& f);
  // False when the fetch ended (done or failed) and was removed.
  bool ReadResponse(SocketId s, Fetch& f);
  bool Consume(SocketId s, Fetch& f, http::ResponseParser::Result r);
  void Complete(SocketId s, Fetch& f);
  void Fail(SocketId s, std::string why);
  std::string Peer() const;

  StackCore& stack_;
  GetConfig config_;
  Sink sink_;
  std::string request_;
  Instant now_;
  Instant last_timeout_check_;
  uint32_t launched_ = 0;
  bool failed_ = false;
  std::string error_;
  absl::flat_hash_map<SocketId, std::unique_ptr<Fetch>> fetches_;
  std::vector<char> buf_;
  GetStats stats_;
};

}  // namespace skiff

#endif  // SKIFF_APPS_GET_CLIENT_H_
