#include "apps/httpd/server.h"

#include <utility>

#include "absl/strings/str_format.h"

namespace skiff {
namespace {

// Steps of one connection per event before it yields to the others (and is
// retried next turn): a client pipelining without end cannot starve them.
constexpr int kMaxStepsPerService = 64;

}  // namespace

HttpServer::HttpServer(StackCore& stack, http::HttpServerConfig config,
                       const http::DocRoot* root,
                       std::function<int64_t()> unix_seconds)
    : stack_(stack),
      config_(std::move(config)),
      root_(root),
      unix_seconds_(std::move(unix_seconds)),
      scratch_(kChunk) {
  config_.status_counts = &statuses_;
}

bool HttpServer::Listen(uint16_t port, uint32_t backlog) {
  stack_.SetEventHandler(this);
  ListenResult r = stack_.Listen(port, backlog);
  if (!r.ok()) return false;
  listener_ = r.value();
  listening_ = true;
  return true;
}

void HttpServer::StopListening() {
  if (!listening_) return;
  stack_.CloseListener(listener_);
  listening_ = false;
}

void HttpServer::Poll(Instant now) {
  now_ = now;
  unix_now_ = unix_seconds_();
  stack_.Poll(now);
  if (!retry_.empty()) {
    scratch_ids_.swap(retry_);
    retry_.clear();
    for (SocketId s : scratch_ids_) {
      auto it = conns_.find(s);
      if (it != conns_.end()) Service(s, *it->second, now);
    }
    scratch_ids_.clear();
  }
  if (now - last_sweep_ >= kSweepInterval) Sweep(now);
}

void HttpServer::OnAcceptable(ListenerId listener) {
  for (SocketId s = stack_.Accept(listener); s.valid();
       s = stack_.Accept(listener)) {
    ++counters_.accepted;
    auto [it, inserted] =
        conns_.emplace(s, std::make_unique<Conn>(config_, root_, now_));
    if (inserted) Service(s, *it->second, now_);
  }
}

void HttpServer::OnSocketEvent(SocketId s, uint8_t events) {
  auto it = conns_.find(s);
  if (it == conns_.end()) return;  // already closed by us
  Conn& c = *it->second;
  if (c.session.NextDeadline() <= now_) {
    ++counters_.timeouts;
    c.session.OnTimer(now_);
  }
  (void)events;  // edge-triggered: whatever it was, read and write on
  Service(s, c, now_);
}

void HttpServer::Service(SocketId s, Conn& c, Instant now) {
  for (int i = 0; i < kMaxStepsPerService; ++i) {
    switch (Step(s, c, now)) {
      case Outcome::kGone:
      case Outcome::kIdle:
        return;
      case Outcome::kMore:
        break;
    }
  }
  retry_.push_back(s);
}

HttpServer::Outcome HttpServer::Step(SocketId s, Conn& c, Instant now) {
  bool progress = Feed(c, now);
  if (!Read(s, c, now, &progress)) return Outcome::kGone;
  if (!Write(s, c, now, &progress)) return Outcome::kGone;
  if (c.session.WantsClose() && c.out_off == c.out.size()) {
    Finish(s, /*reset=*/false);
    return Outcome::kGone;
  }
  return progress ? Outcome::kMore : Outcome::kIdle;
}

// Offers the session what it could not take before.
bool HttpServer::Feed(Conn& c, Instant now) {
  if (c.in.empty()) return false;
  size_t took = c.session.OnBytes(
      std::span(reinterpret_cast<const std::byte*>(c.in.data()), c.in.size()),
      now);
  c.in.erase(0, took);
  return took > 0;
}

bool HttpServer::Read(SocketId s, Conn& c, Instant now, bool* progress) {
  // Stop reading while the session is full: the bytes stay in TCP's receive
  // buffer and the window closes on the peer (RFC 9293 §3.8.6).
  while (c.in.empty() && !c.eof) {
    RecvResult r = stack_.Recv(s, scratch_);
    if (r.ok()) {
      size_t n = r.value();
      if (n == 0) return true;
      counters_.bytes_in += n;
      size_t took = c.session.OnBytes(std::span(scratch_.data(), n), now);
      if (took < n) {
        c.in.assign(reinterpret_cast<const char*>(scratch_.data()) + took,
                    n - took);
      }
      *progress = true;
      continue;
    }
    switch (r.error()) {
      case RecvError::kWouldBlock:
        return true;
      case RecvError::kEof:
        c.eof = true;
        c.session.OnPeerClosed(now);
        *progress = true;
        return true;
      case RecvError::kReset:
      case RecvError::kBadSocket:
        Finish(s, /*reset=*/true);
        return false;
    }
  }
  return true;
}

bool HttpServer::Write(SocketId s, Conn& c, Instant now, bool* progress) {
  while (true) {
    if (c.out_off == c.out.size()) {
      c.out.clear();
      c.out_off = 0;
      if (!c.session.HasOutput()) return true;
      size_t n = c.session.ProduceOutput(scratch_, now, unix_now_);
      if (n == 0) return true;
      c.out.assign(reinterpret_cast<const char*>(scratch_.data()), n);
      *progress = true;
    }
    SendResult r = stack_.Send(
        s, ConstByteSpan(
               reinterpret_cast<const std::byte*>(c.out.data()) + c.out_off,
               c.out.size() - c.out_off));
    if (r.ok()) {
      if (r.value() == 0) return true;
      c.out_off += r.value();
      counters_.bytes_out += r.value();
      *progress = true;
      continue;
    }
    if (r.error() == SendError::kWouldBlock) return true;  // wait: kWritable
    Finish(s, /*reset=*/true);
    return false;
  }
}

void HttpServer::Finish(SocketId s, bool reset) {
  if (reset) {
    ++counters_.reset;
  } else {
    ++counters_.closed;
  }
  // Close also releases a connection that already ended; for a live one it
  // sends FIN after the queued response (step 6).
  stack_.Close(s);
  conns_.erase(s);
}

void HttpServer::Sweep(Instant now) {
  last_sweep_ = now;
  scratch_ids_.clear();
  for (const auto& [s, c] : conns_) {
    if (c->session.NextDeadline() <= now) scratch_ids_.push_back(s);
  }
  for (SocketId s : scratch_ids_) {
    auto it = conns_.find(s);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    ++counters_.timeouts;
    c.session.OnTimer(now);
    if (c.session.WantsClose() && c.out_off != c.out.size()) {
      // The peer stopped reading mid-response: give up now.
      ++counters_.reset;
      stack_.Abort(s);
      conns_.erase(it);
      continue;
    }
    Service(s, c, now);
  }
  scratch_ids_.clear();
}

void HttpServer::CloseAll() {
  for (const auto& [s, c] : conns_) {
    // Nothing owed: a quiet FIN. A response in flight: RST, the peer must
    // not take a truncated body for a whole one.
    if (!c->session.HasOutput() && c->out_off == c->out.size()) {
      ++counters_.closed;
      stack_.Close(s);
    } else {
      ++counters_.aborted;
      stack_.Abort(s);
    }
  }
  conns_.clear();
  retry_.clear();
}

std::string HttpServer::FormatCounters() const {
  std::string out;
  const HttpServerCounters& c = counters_;
  absl::StrAppendFormat(&out, "http_connections_accepted %d\n", c.accepted);
  absl::StrAppendFormat(&out, "http_connections_closed %d\n", c.closed);
  absl::StrAppendFormat(&out, "http_connections_reset %d\n", c.reset);
  absl::StrAppendFormat(&out, "http_connections_aborted %d\n", c.aborted);
  absl::StrAppendFormat(&out, "http_connections_live %d\n", conns_.size());
  absl::StrAppendFormat(&out, "http_timeouts %d\n", c.timeouts);
  uint64_t requests = 0;
  for (size_t code = 0; code < statuses_.by_status.size(); ++code) {
    if (statuses_.by_status[code] == 0) continue;
    requests += statuses_.by_status[code];
    absl::StrAppendFormat(&out, "http_responses_%d %d\n", code,
                          statuses_.by_status[code]);
  }
  absl::StrAppendFormat(&out, "http_requests %d\n", requests);
  absl::StrAppendFormat(&out, "http_bytes_in %d\n", c.bytes_in);
  absl::StrAppendFormat(&out, "http_bytes_out %d\n", c.bytes_out);
  return out;
}

}  // namespace skiff
