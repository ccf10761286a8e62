// One server-side HTTP/1.1 connection, sans-IO (STYLE.md §2): bytes and time
// come in, bytes to send and deadlines come out. It never touches a socket
// or reads a clock, so skiff sockets, Linux sockets and tests drive it alike.
//
// Requests are answered one at a time, in order (RFC 9112 §9.3.2). Bytes of
// pipelined requests wait in a bounded input buffer; when it is full OnBytes
// takes fewer bytes than offered and the caller keeps the rest (flow control
// pushes back to the peer). The parser's limits bound the request in
// progress, so a slow or hostile client cannot grow memory past the config.
#ifndef SKIFF_APPS_HTTP_SERVER_SESSION_H_
#define SKIFF_APPS_HTTP_SERVER_SESSION_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "apps/http/body_source.h"
#include "apps/http/doc_root.h"
#include "apps/http/request_parser.h"
#include "apps/http/response_writer.h"
#include "stack/base/clock.h"

namespace skiff::http {

// Responses started, by status code (RFC 9110 §15: 100..599). One per
// server, shared by its sessions (single-threaded), for its exit report.
struct HttpStatusCounts {
  std::array<uint64_t, 600> by_status{};
};

struct HttpServerConfig {
  RequestParserConfig parser;
  HttpStatusCounts* status_counts = nullptr;  // not owned; may be null
  size_t max_input_buffer = 16384;            // received bytes not yet parsed
  // From the first byte of a request to its last: then 408 and close
  // (RFC 9110 §15.5.9). Stops slow-header (slowloris) clients.
  Duration request_timeout = Duration::Seconds(10);
  // A persistent connection with no request in progress: then close quietly
  // (RFC 9112 §9.5).
  Duration idle_timeout = Duration::Seconds(5);
  // A response pending and no byte of it taken by the peer: then abort.
  Duration send_timeout = Duration::Seconds(30);
};

struct HttpSessionStats {
  uint64_t requests = 0;  // responses started (including error responses)
  uint64_t bytes_out = 0;
  int last_status = 0;
};

class HttpServerSession {
 public:
  // `root` may be null: then "/" (and "/index.html") is the built-in demo
  // page and everything else 404. The root must outlive the session.
  HttpServerSession(const HttpServerConfig& config, const DocRoot* root,
                    Instant now);

  // Takes received bytes; returns how many it took (<= data.size()).
  size_t OnBytes(std::span<const std::byte> data, Instant now);
  // The peer will send no more (FIN): finish complete requests, then close.
  void OnPeerClosed(Instant now);
  // Writes response bytes into `out`; returns how many. `unix_seconds` is
  // the wall-clock time for the Date header.
  size_t ProduceOutput(std::span<std::byte> out, Instant now,
                       int64_t unix_seconds);
  // Applies the deadlines that have passed (see NextDeadline).
  void OnTimer(Instant now);

  // When OnTimer next has something to do; Instant::Max() if never.
  Instant NextDeadline() const;
  // ProduceOutput has bytes to write.
  bool HasOutput() const { return active_; }
  // The session is finished: everything it had to send was produced (or it
  // gave up); the caller closes the connection.
  bool WantsClose() const { return done_; }

  const HttpSessionStats& stats() const { return stats_; }

 private:
  void Pump(Instant now);
  void BeginRequest(const HttpRequest& request, Instant now);
  void BeginError(int status, bool close, Instant now);
  void BeginResponse(const ResponseHead& head, Instant now);
  void FinishResponse(Instant now);
  BodySource* body();

  HttpServerConfig config_;
  const DocRoot* root_;
  RequestParser parser_;
  std::string in_;  // received, not yet parsed
  size_t in_off_ = 0;

  // The response in progress.
  bool active_ = false;
  bool head_pending_ = false;  // head_ is serialised once the Date is known
  ResponseHead plan_;
  std::string head_;
  size_t head_off_ = 0;
  std::variant<std::monostate, MemoryBody, FileBody> body_;
  bool close_after_ = false;

  bool peer_closed_ = false;
  bool closing_ = false;  // no further requests are read
  bool done_ = false;
  Instant request_deadline_ = Instant::Max();
  Instant idle_since_;
  Instant last_progress_;
  HttpSessionStats stats_;
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_SERVER_SESSION_H_
