#include "apps/get/client.h"

#include <charconv>
#include <optional>
#include <utility>

#include "absl/strings/str_format.h"

namespace skiff {
namespace {

constexpr size_t kReadChunk = 65536;
constexpr Duration kTimeoutCheck = Duration::Millis(10);

bool IsDigitsAndDots(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Url> ParseUrl(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "'%s': only http:// URLs are supported", std::string(text)));
  }
  std::string_view rest = text.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Url url;
  if (slash != std::string_view::npos)
    url.path = std::string(rest.substr(slash));
  if (size_t hash = url.path.find('#'); hash != std::string::npos) {
    url.path.resize(hash);  // the fragment is not sent (RFC 9110 §4.2.4)
  }
  std::string_view host = authority;
  if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] =
        std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad port in '%s'", std::string(text)));
    }
    url.port = static_cast<uint16_t>(value);
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("no host in '%s'", std::string(text)));
  }
  std::optional<Ipv4Address> ip = Ipv4Address::Parse(std::string(host));
  if (!ip) {
    if (IsDigitsAndDots(host)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad IPv4 address '%s'", std::string(host)));
    }
    return absl::InvalidArgumentError(absl::StrFormat(
        "'%s' is a host name: skiff-get has no DNS resolver, give an IPv4 "
        "address (http://10.88.0.1/)",
        std::string(host)));
  }
  url.ip = *ip;
  url.host = std::string(authority);
  return url;
}

HttpGetClient::HttpGetClient(StackCore& stack, GetConfig config, Sink sink)
    : stack_(stack),
      config_(std::move(config)),
      sink_(std::move(sink)),
      buf_(kReadChunk) {
  if (config_.concurrency == 0) config_.concurrency = 1;
  // RFC 9112 §3.2: Host is required; close so the server ends the
  // connection (it then holds TIME-WAIT, not us).
  request_ = absl::StrFormat(
      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: skiff-get\r\n"
      "Accept: */*\r\nConnection: close\r\n\r\n",
      config_.url.path, config_.url.host);
}

std::string HttpGetClient::Peer() const {
  return absl::StrFormat("%s:%d", config_.url.ip.ToString(), config_.url.port);
}

void HttpGetClient::Start(Instant now) {
  now_ = now;
  last_timeout_check_ = now;
  stack_.SetEventHandler(this);
  Launch(now);
}

void HttpGetClient::Poll(Instant now) {
  now_ = now;
  stack_.Poll(now);
  if (done()) return;
  if (now - last_timeout_check_ >= kTimeoutCheck) {
    last_timeout_check_ = now;
    for (const auto& [s, f] : fetches_) {
      if (now - f->started < config_.timeout) continue;
      std::string why =
          !f->connected
              ? absl::StrFormat(
                    "timeout: no connection to %s within %d ms (no ARP "
                    "reply or no answer to our SYN)",
                    Peer(), config_.timeout.millis())
              : absl::StrFormat(
                    "timeout: response from %s incomplete after %d ms", Peer(),
                    config_.timeout.millis());
      Fail(s, why);
      return;
    }
  }
  Launch(now);
}

void HttpGetClient::Launch(Instant now) {
  while (!failed_ && launched_ < config_.count &&
         fetches_.size() < config_.concurrency) {
    ConnectResult r = stack_.Connect(config_.url.ip, config_.url.port);
    if (!r.ok()) {
      const char* why = "connect failed";
      switch (r.error()) {
        case ConnectError::kInvalidAddress:
          why = "not a unicast peer address";
          break;
        case ConnectError::kNoRoute:
          why = "no route (not on our subnet and no --gateway)";
          break;
        case ConnectError::kNoEphemeralPort:
          why = "no free local port";
          break;
        case ConnectError::kTableFull:
          why = "connection table full";
          break;
      }
      failed_ = true;
      error_ = absl::StrFormat("cannot connect to %s: %s", Peer(), why);
      return;
    }
    auto f = std::make_unique<Fetch>();
    f->first = launched_ == 0;
    f->started = now;
    fetches_.emplace(r.value(), std::move(f));
    ++launched_;
  }
}

void HttpGetClient::OnSocketEvent(SocketId s, uint8_t events) {
  auto it = fetches_.find(s);
  if (it == fetches_.end() || failed_) return;
  Fetch& f = *it->second;
  if (!f.connected && (events & TcpEvent::kConnected)) {
    f.connected = true;
    SendRequest(s, f);
  }
  if (f.connected && f.sent < request_.size() &&
      (events & TcpEvent::kWritable)) {
    SendRequest(s, f);
  }
  if (f.connected && !ReadResponse(s, f)) return;
  if ((events & (TcpEvent::kClosed | TcpEvent::kError)) &&
      fetches_.contains(s)) {
    const Connection* c = stack_.Find(s);
    ConnectionError e = c != nullptr ? c->error() : ConnectionError::kNone;
    if (f.complete && e == ConnectionError::kNone) {
      Complete(s, f);
      return;
    }
    switch (e) {
      case ConnectionError::kRefused:
        Fail(s, absl::StrFormat("connection refused by %s (RST to our SYN: "
                                "nothing listens on that port)",
                                Peer()));
        return;
      case ConnectionError::kTimedOut:
        Fail(s, absl::StrFormat("timeout: %s stopped answering", Peer()));
        return;
      case ConnectionError::kUnreachable:
        Fail(s, absl::StrFormat("%s is unreachable (ICMP destination "
                                "unreachable)",
                                Peer()));
        return;
      default:
        Fail(s, absl::StrFormat("connection to %s %s", Peer(),
                                f.connected ? "reset before the response ended"
                                            : "failed"));
        return;
    }
  }
}

void HttpGetClient::SendRequest(SocketId s, Fetch& f) {
  while (f.sent < request_.size()) {
    SendResult r = stack_.Send(
        s, ConstByteSpan(
               reinterpret_cast<const std::byte*>(request_.data()) + f.sent,
               request_.size() - f.sent));
    if (!r.ok() || r.value() == 0)
      return;  // kWritable resumes; errors: kClosed
    f.sent += r.value();
  }
}

bool HttpGetClient::ReadResponse(SocketId s, Fetch& f) {
  while (true) {
    RecvResult r = stack_.Recv(
        s, ByteSpan(reinterpret_cast<std::byte*>(buf_.data()), buf_.size()));
    if (r.ok()) {
      if (f.complete) continue;  // bytes after the response: ignored
      std::string_view in(buf_.data(), r.value());
      // Feed until it asks for more: kDone follows the last kData (or a
      // bodiless kHead) only on the next call, even with no input left.
      while (true) {
        http::ResponseParser::Result pr = f.parser.Feed(in);
        in.remove_prefix(pr.consumed);
        if (!Consume(s, f, pr)) return false;
        if (f.complete || pr.status == http::ResponseParser::Status::kNeedMore)
          break;
      }
      continue;
    }
    if (r.error() == RecvError::kWouldBlock) return true;
    if (r.error() == RecvError::kEof) {
      if (!f.complete && !Consume(s, f, f.parser.OnEof())) return false;
      if (!f.complete) {
        Fail(s,
             absl::StrFormat("%s closed the connection mid-response", Peer()));
        return false;
      }
      Complete(s, f);
      return false;
    }
    return true;  // kReset: the kClosed|kError event says why
  }
}

bool HttpGetClient::Consume(SocketId s, Fetch& f,
                            http::ResponseParser::Result r) {
  using St = http::ResponseParser::Status;
  switch (r.status) {
    case St::kNeedMore:
      return true;
    case St::kHead:
      if (f.first) {
        stats_.first_status = f.parser.head().status;
        stats_.first_reason = f.parser.head().reason;
      }
      return true;
    case St::kData:
      stats_.body_bytes += r.data.size();
      if (f.first && sink_) sink_(r.data);
      return true;
    case St::kDone:
      f.complete = true;
      stats_.latencies.push_back(now_ - f.started);
      if (f.parser.keep_alive()) {
        Complete(s, f);  // the server keeps it open: we close
        return false;
      }
      return true;  // wait for the server's FIN
    case St::kError:
      Fail(s, absl::StrFormat("bad response from %s: %s", Peer(),
                              f.parser.error()));
      return false;
  }
  return true;
}

void HttpGetClient::Complete(SocketId s, Fetch& f) {
  (void)f;
  ++stats_.completed;
  stack_.Close(s);
  fetches_.erase(s);
  Launch(now_);
}

void HttpGetClient::Fail(SocketId s, std::string why) {
  if (!failed_) {
    failed_ = true;
    error_ = std::move(why);
  }
  stack_.Abort(s);
  fetches_.erase(s);
  for (const auto& [id, f] : fetches_) stack_.Abort(id);
  fetches_.clear();
}

}  // namespace skiff
