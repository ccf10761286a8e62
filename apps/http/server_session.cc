#include "apps/http/server_session.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "apps/http/mime.h"
#include "apps/http/status.h"
#include "apps/http/target.h"

namespace skiff::http {

HttpServerSession::HttpServerSession(const HttpServerConfig& config,
                                     const DocRoot* root, Instant now)
    : config_(config), root_(root), parser_(config.parser), idle_since_(now) {
  in_.reserve(config_.max_input_buffer);
}

size_t HttpServerSession::OnBytes(std::span<const std::byte> data,
                                  Instant now) {
  // Once closing, input is read and dropped so the peer is not stalled
  // while the last response drains.
  if (done_ || closing_) return data.size();
  if (in_off_ > 0) {
    in_.erase(0, in_off_);
    in_off_ = 0;
  }
  size_t room = config_.max_input_buffer - in_.size();
  size_t n = std::min(room, data.size());
  in_.append(reinterpret_cast<const char*>(data.data()), n);
  Pump(now);
  return n;
}

void HttpServerSession::OnPeerClosed(Instant now) {
  peer_closed_ = true;
  Pump(now);
}

BodySource* HttpServerSession::body() {
  if (auto* m = std::get_if<MemoryBody>(&body_)) return m;
  if (auto* f = std::get_if<FileBody>(&body_)) return f;
  return nullptr;
}

// Parses buffered input until a response is started or input runs out.
void HttpServerSession::Pump(Instant now) {
  if (active_ || closing_ || done_) return;
  std::string_view input(in_.data() + in_off_, in_.size() - in_off_);
  RequestParser::Result r = parser_.Feed(input);
  in_off_ += r.consumed;
  switch (r.status) {
    case RequestParser::Status::kRequest:
      request_deadline_ = Instant::Max();
      BeginRequest(parser_.TakeRequest(), now);
      return;
    case RequestParser::Status::kError: {
      request_deadline_ = Instant::Max();
      const RequestError& e = parser_.error();
      BeginError(e.status, e.close, now);
      return;
    }
    case RequestParser::Status::kNeedMore:
      break;
  }
  if (peer_closed_) {
    // Nothing more will come: a partial request can never complete.
    closing_ = done_ = true;
    return;
  }
  if (parser_.phase() != RequestParser::Phase::kIdle &&
      request_deadline_ == Instant::Max()) {
    request_deadline_ = now + config_.request_timeout;
  }
}

void HttpServerSession::BeginRequest(const HttpRequest& request, Instant now) {
  ResponseHead head;
  head.close = !request.keep_alive;
  head.keep_alive = request.keep_alive && request.version_minor == 0;
  std::string_view page;
  std::string error_page;
  TargetPath target = ParseRequestTarget(request.target);
  int status = target.status;
  if (status == 0 && root_ == nullptr) {
    bool index = target.path.empty() || target.path == "index.html";
    status = index ? kStatusOk : kStatusNotFound;
    page = DemoPage();
  } else if (status == 0) {
    ResolvedFile file = root_->Resolve(target.path);
    status = file.status;
    if (status == kStatusOk) {
      head.content_type = MimeTypeForPath(file.path);
      head.content_length = file.size;
      if (request.method == Method::kGet)
        body_.emplace<FileBody>(std::move(file.fd), file.size);
    }
  }
  if (status != kStatusOk) {
    error_page = ErrorPage(status);
    page = error_page;
  }
  head.status = status;
  if (!page.empty()) {
    head.content_type = kHtmlType;
    head.content_length = page.size();
    // HEAD: the GET's headers, no body (RFC 9110 §9.3.2).
    if (request.method == Method::kGet) {
      if (error_page.empty()) {
        body_.emplace<MemoryBody>(MemoryBody::View(page));
      } else {
        body_.emplace<MemoryBody>(MemoryBody::Owned(std::move(error_page)));
      }
    }
  }
  BeginResponse(head, now);
}

void HttpServerSession::BeginError(int status, bool close, Instant now) {
  ResponseHead head;
  head.status = status;
  head.close = close;
  head.keep_alive = !close;
  head.allow = status == kStatusMethodNotAllowed;
  std::string page = ErrorPage(status);
  head.content_type = kHtmlType;
  head.content_length = page.size();
  body_.emplace<MemoryBody>(MemoryBody::Owned(std::move(page)));
  BeginResponse(head, now);
}

void HttpServerSession::BeginResponse(const ResponseHead& head, Instant now) {
  plan_ = head;
  close_after_ = head.close;
  if (close_after_) closing_ = true;
  active_ = true;
  head_pending_ = true;
  last_progress_ = now;
  ++stats_.requests;
  stats_.last_status = head.status;
  if (config_.status_counts != nullptr && head.status >= 0 &&
      head.status < 600) {
    ++config_.status_counts->by_status[static_cast<size_t>(head.status)];
  }
}

void HttpServerSession::FinishResponse(Instant now) {
  active_ = false;
  body_.emplace<std::monostate>();
  head_.clear();
  head_off_ = 0;
  if (close_after_) {
    done_ = true;
    return;
  }
  idle_since_ = now;
  Pump(now);
}

size_t HttpServerSession::ProduceOutput(std::span<std::byte> out, Instant now,
                                        int64_t unix_seconds) {
  size_t written = 0;
  while (active_) {
    if (head_pending_) {
      AppendResponseHead(plan_, unix_seconds, &head_);
      head_pending_ = false;
    }
    if (head_off_ < head_.size()) {
      if (written == out.size()) break;
      size_t n = std::min(out.size() - written, head_.size() - head_off_);
      std::memcpy(out.data() + written, head_.data() + head_off_, n);
      head_off_ += n;
      written += n;
      continue;
    }
    BodySource* b = body();
    if (b != nullptr && b->remaining() > 0) {
      if (written == out.size()) break;
      BodyRead r = b->Read(out.subspan(written));
      written += r.bytes;
      if (!r.ok) {
        // The head promised a length we cannot deliver: abort (RFC 9112 §6.3).
        active_ = false;
        closing_ = done_ = true;
        break;
      }
      continue;
    }
    FinishResponse(now);
  }
  if (written > 0) last_progress_ = now;
  stats_.bytes_out += written;
  return written;
}

Instant HttpServerSession::NextDeadline() const {
  if (done_) return Instant::Max();
  if (active_) return last_progress_ + config_.send_timeout;
  if (closing_) return Instant::Max();
  if (request_deadline_ != Instant::Max()) return request_deadline_;
  return idle_since_ + config_.idle_timeout;
}

void HttpServerSession::OnTimer(Instant now) {
  if (done_ || now < NextDeadline()) return;
  if (active_) {  // the peer stopped reading
    active_ = false;
    closing_ = done_ = true;
  } else if (request_deadline_ != Instant::Max()) {
    request_deadline_ = Instant::Max();
    BeginError(kStatusRequestTimeout, /*close=*/true, now);
  } else {
    closing_ = done_ = true;  // idle keep-alive connection
  }
}

}  // namespace skiff::http
