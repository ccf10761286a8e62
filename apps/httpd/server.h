// HttpServer: skiff-httpd's application logic on one StackCore. It accepts
// connections, gives each an HttpServerSession (sans-IO HTTP/1.1), feeds it
// the bytes Recv returns and pushes what it produces into Send as the socket
// takes it, closing when the session is done (DESIGN.md steps 4-6).
//
// Memory per connection is bounded: the session's input buffer, at most one
// read chunk the session could not take yet (we stop reading: TCP's window
// pushes back on the peer) and at most one produced chunk the socket could
// not take yet (we stop producing: a file body is read only as it is sent).
//
// Timers: a session's deadline is checked whenever it has events, and a
// coarse sweep (at most every kSweepInterval) catches idle ones.
#ifndef SKIFF_APPS_HTTPD_SERVER_H_
#define SKIFF_APPS_HTTPD_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "apps/http/doc_root.h"
#include "apps/http/server_session.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"

namespace skiff {

struct HttpServerCounters {
  uint64_t accepted = 0;
  uint64_t closed = 0;    // closed by us after the session finished
  uint64_t reset = 0;     // ended by the peer or TCP (RST, timeout)
  uint64_t aborted = 0;   // aborted at shutdown
  uint64_t timeouts = 0;  // sessions whose deadline fired
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

class HttpServer final : public TcpEventHandler {
 public:
  static constexpr Duration kSweepInterval = Duration::Millis(100);
  static constexpr size_t kChunk = 16384;

  // `root` may be null (built-in page); it must outlive the server.
  // `unix_seconds` gives the wall-clock time for Date headers.
  HttpServer(StackCore& stack, http::HttpServerConfig config,
             const http::DocRoot* root, std::function<int64_t()> unix_seconds);
  ~HttpServer() = default;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Installs itself as the stack's event handler and listens on `port`.
  bool Listen(uint16_t port, uint32_t backlog);
  // Stops accepting (graceful shutdown, step 1).
  void StopListening();
  // One loop turn: StackCore::Poll(now) (events come back here), then the
  // connections left with work, then the deadline sweep if it is due.
  void Poll(Instant now);
  // Graceful shutdown, last step: FIN for connections owed nothing, RST for
  // those with a response still in flight.
  void CloseAll();

  size_t live_connections() const { return conns_.size(); }
  const HttpServerCounters& counters() const { return counters_; }
  const http::HttpStatusCounts& status_counts() const { return statuses_; }
  // "name value" lines: connections, requests by status, bytes.
  std::string FormatCounters() const;

  void OnAcceptable(ListenerId listener) override;
  void OnSocketEvent(SocketId socket, uint8_t events) override;

 private:
  struct Conn {
    Conn(const http::HttpServerConfig& c, const http::DocRoot* root,
         Instant now)
        : session(c, root, now) {}
    http::HttpServerSession session;
    std::string in;   // read but not yet taken by the session
    std::string out;  // produced but not yet taken by the socket
    size_t out_off = 0;
    bool eof = false;
  };
  enum class Outcome { kIdle, kMore, kGone };

  // Reads, feeds, produces and sends until nothing moves (bounded).
  void Service(SocketId s, Conn& c, Instant now);
  Outcome Step(SocketId s, Conn& c, Instant now);
  bool Feed(Conn& c, Instant now);
  // False when the connection ended under us.
  bool Read(SocketId s, Conn& c, Instant now, bool* progress);
  bool Write(SocketId s, Conn& c, Instant now, bool* progress);
  void Finish(SocketId s, bool reset);
  void Sweep(Instant now);

  StackCore& stack_;
  http::HttpServerConfig config_;
  const http::DocRoot* root_;
  std::function<int64_t()> unix_seconds_;
  http::HttpStatusCounts statuses_;
  ListenerId listener_;
  bool listening_ = false;
  absl::flat_hash_map<SocketId, std::unique_ptr<Conn>> conns_;
  std::vector<SocketId> retry_;  // hit the per-turn bound with work left
  std::vector<SocketId> scratch_ids_;
  std::vector<std::byte> scratch_;
  Instant now_;
  int64_t unix_now_ = 0;
  Instant last_sweep_;
  HttpServerCounters counters_;
};

}  // namespace skiff

#endif  // SKIFF_APPS_HTTPD_SERVER_H_
