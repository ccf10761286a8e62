#include "apps/load/engine.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace skiff::load {
namespace {

constexpr size_t kReadBuffer = 65536;
// After Connect fails locally (every port in use, table full): the next
// attempt waits this long, so the error count grows at most 1,000/s.
constexpr Duration kLocalRetry = Duration::Millis(1);

std::string BuildRequest(const LoadConfig& c) {
  if (c.protocol == Protocol::kRaw) return std::string(c.raw_send, 'x');
  const std::string host =
      c.host.empty()
          ? (c.port == 80 ? c.server.ToString()
                          : absl::StrCat(c.server.ToString(), ":", c.port))
          : c.host;
  // cps asks the server to close first (RFC 9112 §9.6), so the TIME-WAIT
  // lands on its side, as it does for wrk and ab.
  return absl::StrCat(
      "GET ", c.path, " HTTP/1.1\r\nHost: ", host,
      "\r\nUser-Agent: skiff-load\r\n",
      c.workload == Workload::kCps ? "Connection: close\r\n" : "", "\r\n");
}

ErrorKind KindOf(ConnectionError e) {
  switch (e) {
    case ConnectionError::kRefused:
      return ErrorKind::kRefused;
    case ConnectionError::kTimedOut:
      return ErrorKind::kTimeout;
    case ConnectionError::kUnreachable:
    case ConnectionError::kAborted:
      return ErrorKind::kOther;
    case ConnectionError::kReset:
    case ConnectionError::kNone:
      break;
  }
  return ErrorKind::kReset;
}

}  // namespace

LoadEngine::LoadEngine(StackCore& stack, LoadConfig config)
    : stack_(stack), config_(std::move(config)), buf_(kReadBuffer) {
  request_ = BuildRequest(config_);
  config_.concurrency = std::max<uint32_t>(config_.concurrency, 1);
}

void LoadEngine::Start(Instant now) {
  stack_.SetEventHandler(this);
  now_ = start_ = last_sample_ = now;
  end_ = now + config_.duration;
  started_ = true;
  if (config_.rate > 0) pacer_ = Pacer(now, config_.rate, config_.ramp);
  last_retransmits_ = stack_.counters().tcp.retransmits;
}

bool LoadEngine::Running(Instant now) const {
  return started_ && !stopping_ && now < end_ &&
         (config_.count == 0 ||
          totals_.requests_sent + backlog_.size() < config_.count);
}

uint32_t LoadEngine::TargetConnections(Instant now) const {
  const Duration since = now - start_;
  if (config_.ramp <= Duration::Zero() || since >= config_.ramp)
    return config_.concurrency;
  const double f = since.seconds() / config_.ramp.seconds();
  return std::max<uint32_t>(
      1, static_cast<uint32_t>(std::ceil(config_.concurrency * f)));
}

void LoadEngine::Poll(Instant now) {
  now_ = now;
  CheckTimeouts(now);
  if (config_.workload == Workload::kCc) CheckKeepalives(now);
  if (!stopping_ && !Running(now)) Stop(now);
  if (!stopping_) Launch(now);  // before the stack's turn: SYNs leave now
  stack_.Poll(now);             // events come back to OnSocketEvent
  now_ = now;
  if (stopping_ && !conns_.empty() && (busy_ == 0 || now >= drain_end_))
    CloseAll();
}

void LoadEngine::Stop(Instant now) {
  if (stopping_) return;
  stopping_ = true;
  stop_time_ = now;
  drain_end_ = now + config_.drain;
  // Intended but never sent: the server (or we) fell behind the target.
  totals_.errors[static_cast<size_t>(ErrorKind::kTimeout)] += backlog_.size();
  backlog_.clear();
  idle_.clear();
}

// ---- opening connections and starting requests ----

void LoadEngine::Launch(Instant now) {
  if (now < retry_at_) return;  // backing off a local failure
  const bool open_loop = config_.rate > 0;
  if (config_.workload == Workload::kCps) {
    if (open_loop) {
      while (pacer_.next() <= now && Running(now) && MayOpen() &&
             conns_.size() < config_.max_in_flight) {
        if (!Open(pacer_.Take(), /*with_request=*/true, now)) return;
      }
      return;
    }
    const uint32_t target = TargetConnections(now);
    while (busy_ < target && Running(now) && MayOpen())
      if (!Open(now, /*with_request=*/true, now)) return;
    return;
  }
  // rps, cc, bulk: a fixed set of connections, replaced when one ends.
  const uint32_t target = TargetConnections(now);
  const bool first_request = !open_loop && config_.workload != Workload::kCc &&
                             !(config_.workload == Workload::kBulk &&
                               config_.protocol == Protocol::kRaw);
  while (conns_.size() < target && Running(now) && MayOpen())
    if (!Open(now, first_request, now)) break;
  if (open_loop && config_.workload == Workload::kRps) {
    while (pacer_.next() <= now && Running(now) &&
           backlog_.size() + busy_ < config_.max_in_flight)
      backlog_.push_back(pacer_.Take());
    Dispatch(now);
  }
}

bool LoadEngine::Open(Instant intended, bool with_request, Instant now) {
  if (with_request) ++totals_.requests_sent;
  // Sources round robin: each (source, server, port) has its own
  // ephemeral range, so N sources open N times as many connections.
  ConnectResult r =
      config_.sources.empty()
          ? stack_.Connect(config_.server, config_.port)
          : stack_.Connect(
                config_.server, config_.port,
                config_.sources[next_source_++ % config_.sources.size()]);
  if (!r.ok()) {
    // No port, no route, table full: local trouble, counted, and no more
    // attempts this turn so a full table does not spin.
    if (with_request) ++totals_.errors[static_cast<size_t>(ErrorKind::kOther)];
    retry_at_ = now + kLocalRetry;
    return false;
  }
  const SocketId s = r.value();
  Conn& c = conns_[s];
  c.intended = intended;
  c.pending_request = with_request;
  c.in_request = with_request;
  if (with_request) ++busy_;
  ++totals_.conns_opened;
  ArmTimeout(s, c, now);  // the connect counts against the timeout
  return true;
}

void LoadEngine::StartRequest(SocketId s, Conn& c, Instant intended,
                              Instant now) {
  ++totals_.requests_sent;
  ++busy_;
  c.in_request = true;
  c.intended = intended;
  ArmTimeout(s, c, now);
  Begin(s, c);
}

void LoadEngine::Begin(SocketId s, Conn& c) {
  c.phase = Phase::kBusy;
  c.sent = 0;
  c.raw_got = 0;
  c.resp_bytes = 0;
  c.parser.Reset();
  Flush(s, c);
}

void LoadEngine::Flush(SocketId s, Conn& c) {
  while (c.sent < request_.size()) {
    SendResult r = stack_.Send(
        s, ConstByteSpan(
               reinterpret_cast<const std::byte*>(request_.data()) + c.sent,
               request_.size() - c.sent));
    if (!r.ok() || r.value() == 0) return;
    c.sent += r.value();
    totals_.bytes_out += r.value();
  }
}

// bulk over raw TCP: keep the send buffer full; the server's answer (if
// any) is read and discarded.
void LoadEngine::FlushBulk(SocketId s) {
  const ConstByteSpan chunk(
      buf_.data(),
      std::min(buf_.size(), std::max<size_t>(config_.raw_send, 1)));
  while (true) {
    SendResult r = stack_.Send(s, chunk);
    if (!r.ok() || r.value() == 0) return;
    totals_.bytes_out += r.value();
  }
}

void LoadEngine::Dispatch(Instant now) {
  while (!backlog_.empty() && !idle_.empty()) {
    const SocketId s = idle_.back();
    idle_.pop_back();
    auto it = conns_.find(s);
    if (it == conns_.end() || it->second.phase != Phase::kIdle) continue;
    const Instant intended = backlog_.front();
    backlog_.pop_front();
    StartRequest(s, it->second, intended, now);
  }
}

// A connection with nothing to do: what happens next depends on the
// workload.
void LoadEngine::OnIdle(SocketId s, Conn& c) {
  c.phase = Phase::kIdle;
  if (stopping_) return;
  switch (config_.workload) {
    case Workload::kCps:
      Finish(s, config_.close == CloseMode::kRst);
      return;
    case Workload::kRps:
      if (config_.rate > 0) {
        idle_.push_back(s);
        Dispatch(now_);
      } else if (Running(now_)) {
        StartRequest(s, c, now_, now_);
      }
      return;
    case Workload::kCc:
      keepalives_.push_back({now_ + config_.keepalive_interval, s, 0});
      return;
    case Workload::kBulk:
      if (config_.protocol == Protocol::kRaw) {
        c.phase = Phase::kBusy;
        FlushBulk(s);
      } else if (Running(now_)) {
        StartRequest(s, c, now_, now_);
      }
      return;
  }
}

// ---- events ----

void LoadEngine::OnSocketEvent(SocketId s, uint8_t events) {
  warmed_ = true;
  auto it = conns_.find(s);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if ((events & TcpEvent::kConnected) != 0 && c.phase == Phase::kConnecting) {
    ++totals_.conns_established;
    ++held_;
    if (c.pending_request) {
      c.pending_request = false;
      Begin(s, c);
    } else {
      OnIdle(s, c);
      if (!conns_.contains(s)) return;
    }
  }
  if ((events & TcpEvent::kWritable) != 0 && c.phase == Phase::kBusy) {
    if (config_.workload == Workload::kBulk &&
        config_.protocol == Protocol::kRaw) {
      FlushBulk(s);
    } else {
      Flush(s, c);
    }
  }
  if ((events & (TcpEvent::kReadable | TcpEvent::kClosed | TcpEvent::kError)) !=
      0)
    Read(s, c);
}

bool LoadEngine::Read(SocketId s, Conn& c) {
  while (true) {
    RecvResult r = stack_.Recv(s, buf_);
    if (r.ok()) {
      const size_t n = r.value();
      totals_.bytes_in += n;
      if (c.phase != Phase::kBusy || !c.in_request) continue;  // discarded
      c.resp_bytes += n;
      if (config_.protocol == Protocol::kHttp) {
        if (!ReadHttp(s, c,
                      std::string_view(
                          reinterpret_cast<const char*>(buf_.data()), n)))
          return false;
      } else {
        c.raw_got += n;
        if (c.raw_got >= config_.raw_recv && !OnAnswered(s, c, true, false))
          return false;
      }
      continue;
    }
    switch (r.error()) {
      case RecvError::kWouldBlock:
        return true;
      case RecvError::kEof:
        OnEof(s, c);
        return false;
      case RecvError::kReset:
      case RecvError::kBadSocket: {
        const Connection* conn = stack_.Find(s);
        Fail(s, conn != nullptr ? KindOf(conn->error()) : ErrorKind::kReset);
        return false;
      }
    }
  }
}

bool LoadEngine::ReadHttp(SocketId s, Conn& c, std::string_view in) {
  // Fed until it needs more: the end of a body may come as kDone on an
  // empty remainder.
  while (true) {
    const http::ResponseParser::Result r = c.parser.Feed(in);
    in.remove_prefix(r.consumed);
    switch (r.status) {
      case http::ResponseParser::Status::kError:
        Fail(s, ErrorKind::kParse);
        return false;
      case http::ResponseParser::Status::kDone: {
        const int status = c.parser.head().status;
        return OnAnswered(s, c, c.parser.keep_alive(),
                          status < 200 || status > 399);
      }
      case http::ResponseParser::Status::kNeedMore:
        return true;
      case http::ResponseParser::Status::kHead:
      case http::ResponseParser::Status::kData:
        break;
    }
  }
}

// An answer is complete (every request ends here or in Fail, once).
bool LoadEngine::OnAnswered(SocketId s, Conn& c, bool keep_alive,
                            bool bad_status) {
  c.in_request = false;
  --busy_;
  if (bad_status) {
    ++totals_.errors[static_cast<size_t>(ErrorKind::kBadStatus)];
  } else {
    ++totals_.requests_done;
    const uint64_t ns = static_cast<uint64_t>(
        std::max<int64_t>(0, (now_ - c.intended).nanos()));
    latency_.Record(ns);
    interval_.Record(ns);
  }
  if (config_.workload == Workload::kCps || !keep_alive) {
    Finish(s, config_.close == CloseMode::kRst);
    return false;
  }
  OnIdle(s, c);
  return conns_.contains(s);
}

void LoadEngine::OnEof(SocketId s, Conn& c) {
  if (c.phase == Phase::kBusy && c.in_request) {
    if (config_.protocol == Protocol::kHttp) {
      // A close-delimited body ends here (RFC 9112 §6.3 rule 8).
      if (c.parser.OnEof().status == http::ResponseParser::Status::kDone) {
        const int status = c.parser.head().status;
        OnAnswered(s, c, false, status < 200 || status > 399);
        return;
      }
    }
    Fail(s, c.resp_bytes == 0 ? ErrorKind::kClosed : ErrorKind::kParse);
    return;
  }
  if (c.pending_request) {
    Fail(s, ErrorKind::kClosed);
    return;
  }
  Finish(s, false);  // the server closed an idle keep-alive connection
}

void LoadEngine::Fail(SocketId s, ErrorKind kind) {
  auto it = conns_.find(s);
  if (it == conns_.end()) return;
  if (it->second.in_request) --busy_;
  ++totals_.errors[static_cast<size_t>(kind)];
  Finish(s, /*reset=*/true);
}

void LoadEngine::Finish(SocketId s, bool reset) {
  auto it = conns_.find(s);
  if (it == conns_.end()) return;
  if (it->second.phase != Phase::kConnecting) --held_;
  conns_.erase(it);
  if (reset) {
    stack_.Abort(s);  // RST: no TIME-WAIT on either side
  } else {
    stack_.Close(s);  // FIN; whoever closed first keeps TIME-WAIT
  }
}

void LoadEngine::CloseAll() {
  std::vector<SocketId> all;
  all.reserve(conns_.size());
  for (const auto& [s, c] : conns_) all.push_back(s);
  for (SocketId s : all) {
    auto it = conns_.find(s);
    if (it->second.in_request) {  // still unanswered at the end of the drain
      Fail(s, ErrorKind::kTimeout);
    } else {
      Finish(s, config_.close == CloseMode::kRst);
    }
  }
}

// ---- timers ----

void LoadEngine::ArmTimeout(SocketId s, Conn& c, Instant now) {
  timeouts_.push_back({now + config_.timeout, s, ++c.timer_seq});
}

void LoadEngine::CheckTimeouts(Instant now) {
  while (!timeouts_.empty() && timeouts_.front().at <= now) {
    const Timer t = timeouts_.front();
    timeouts_.pop_front();
    auto it = conns_.find(t.s);
    if (it == conns_.end() || it->second.timer_seq != t.seq) continue;
    if (it->second.in_request || it->second.phase == Phase::kConnecting) {
      warmed_ = true;  // no answer at all: go on at full load anyway
      Fail(t.s, ErrorKind::kTimeout);
    }
  }
}

void LoadEngine::CheckKeepalives(Instant now) {
  while (!keepalives_.empty() && keepalives_.front().at <= now) {
    const Timer t = keepalives_.front();
    keepalives_.pop_front();
    auto it = conns_.find(t.s);
    if (it == conns_.end() || it->second.phase != Phase::kIdle) continue;
    if (!Running(now)) continue;
    StartRequest(t.s, it->second, t.at, now);
  }
}

LoadSample LoadEngine::TakeSample(Instant now) {
  LoadSample out;
  out.t = (now - start_).seconds();
  out.seconds = (now - last_sample_).seconds();
  out.delta = totals_ - last_;
  out.active = conns_.size();
  out.held = held_;
  const uint64_t rtx = stack_.counters().tcp.retransmits;
  out.retransmits = rtx - last_retransmits_;
  out.p50_ns = interval_.Percentile(0.5);
  out.p99_ns = interval_.Percentile(0.99);
  last_ = totals_;
  last_retransmits_ = rtx;
  last_sample_ = now;
  interval_.Reset();
  return out;
}

}  // namespace skiff::load
