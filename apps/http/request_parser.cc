#include "apps/http/request_parser.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "apps/http/http_syntax.h"
#include "apps/http/status.h"

namespace skiff::http {
namespace {

// request-target bytes: visible ASCII only (RFC 9112 §3.2, RFC 3986 §2).
bool IsTargetChar(char c) { return c > 0x20 && c < 0x7f; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// origin-form or absolute-form: the forms a GET / HEAD may use (§3.2).
bool IsGetTargetForm(std::string_view t) {
  if (t[0] == '/') return true;
  return StartsWithIgnoreCase(t, "http://") ||
         StartsWithIgnoreCase(t, "https://");
}

}  // namespace

RequestParser::RequestParser(RequestParserConfig config)
    : config_(config),
      chunked_(ChunkedLimits{.max_size_line = 1024,
                             .max_trailer_bytes = config.max_header_bytes,
                             .max_trailers = config.max_header_count}) {}

RequestParser::Phase RequestParser::phase() const {
  switch (state_) {
    case State::kRequestLine:
      return line_.buffered() == 0 && empty_lines_ == 0 ? Phase::kIdle
                                                        : Phase::kHead;
    case State::kHeaders:
      return Phase::kHead;
    case State::kBodyLength:
    case State::kBodyChunked:
      return Phase::kBody;
    default:
      return Phase::kIdle;
  }
}

RequestParser::Result RequestParser::Fail(int status, const char* detail,
                                          size_t consumed) {
  state_ = State::kError;
  error_ = RequestError{.status = status, .close = true, .detail = detail};
  return {Status::kError, consumed};
}

void RequestParser::StartNext() {
  state_ = State::kRequestLine;
  line_.Clear();
  chunked_.Reset();
  empty_lines_ = 0;
  header_bytes_ = 0;
  body_remaining_ = 0;
  deferred_status_ = 0;
  request_ = HttpRequest{};
}

HttpRequest RequestParser::TakeRequest() {
  HttpRequest r = std::move(request_);
  StartNext();
  return r;
}

RequestParser::Result RequestParser::FinishMessage(size_t consumed) {
  if (deferred_status_ != 0) {
    // 405 (RFC 9110 §15.5.6): the message was read whole, so the stream is
    // still in sync and the connection may persist as the request asked.
    error_ = RequestError{.status = deferred_status_,
                          .close = !request_.keep_alive,
                          .detail = "method not allowed"};
    StartNext();
    return {Status::kError, consumed};
  }
  state_ = State::kComplete;
  return {Status::kRequest, consumed};
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 §3).
bool RequestParser::OnRequestLine(std::string_view line, size_t used,
                                  Result* out) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    *out = Fail(kStatusBadRequest, "malformed request line", used);
    return false;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method) || target.empty() ||
      !std::all_of(target.begin(), target.end(), IsTargetChar)) {
    *out = Fail(kStatusBadRequest, "malformed request line", used);
    return false;
  }
  // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (§2.3).
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      !digit(version[5]) || version[6] != '.' || !digit(version[7])) {
    *out = Fail(kStatusBadRequest, "malformed HTTP-version", used);
    return false;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    *out = Fail(kStatusVersionNotSupported, "unsupported HTTP version", used);
    return false;
  }
  request_.version_minor = version[7] - '0';
  // Methods are case-sensitive (RFC 9110 §9.1).
  if (method == "GET") {
    request_.method = Method::kGet;
  } else if (method == "HEAD") {
    request_.method = Method::kHead;
  } else {
    deferred_status_ = kStatusMethodNotAllowed;
  }
  if (deferred_status_ == 0 && !IsGetTargetForm(target)) {
    *out = Fail(kStatusBadRequest, "bad request-target form", used);
    return false;
  }
  request_.target.assign(target);
  return true;
}

bool RequestParser::OnHeaderLine(std::string_view line, size_t used,
                                 Result* out) {
  if (request_.headers.size() >= config_.max_header_count) {
    *out = Fail(kStatusHeaderFieldsTooLarge, "too many header fields", used);
    return false;
  }
  std::string_view name, value;
  switch (ParseFieldLine(line, &name, &value)) {
    case FieldLineError::kOk:
      request_.headers.Add(name, value);
      return true;
    case FieldLineError::kObsFold:
      *out = Fail(kStatusBadRequest, "obs-fold", used);
      return false;
    case FieldLineError::kBadName:
      *out = Fail(kStatusBadRequest, "bad field name", used);
      return false;
    case FieldLineError::kBadValue:
      *out = Fail(kStatusBadRequest, "bad field value", used);
      return false;
  }
  return false;
}

// End of the header section: decide persistence and body framing (§6.3).
bool RequestParser::OnHeadersDone(size_t used, Result* out) {
  const HeaderList& h = request_.headers;
  size_t hosts = h.Count("Host");
  if (hosts > 1 || (hosts == 0 && request_.version_minor == 1)) {
    // RFC 9112 §3.2: exactly one Host on 1.1, at most one on 1.0.
    *out = Fail(kStatusBadRequest, "missing or repeated Host", used);
    return false;
  }
  bool close = h.HasToken("Connection", "close");
  request_.keep_alive =
      request_.version_minor == 1
          ? !close
          : (!close && h.HasToken("Connection", "keep-alive"));

  bool has_te = h.Count("Transfer-Encoding") > 0;
  bool has_cl = h.Count("Content-Length") > 0;
  if (has_te && has_cl) {
    *out = Fail(kStatusBadRequest, "both Content-Length and Transfer-Encoding",
                used);
    return false;
  }
  if (has_te) {
    if (request_.version_minor == 0) {
      *out = Fail(kStatusBadRequest, "Transfer-Encoding on HTTP/1.0", used);
      return false;
    }
    int codings = 0, chunked_at = -1;
    for (const HeaderField& f : h.fields()) {
      if (!EqualsIgnoreCase(f.name, "Transfer-Encoding")) continue;
      ForEachListElement(f.value, [&](std::string_view c) {
        if (EqualsIgnoreCase(c, "chunked")) chunked_at = codings;
        ++codings;
        return true;
      });
    }
    if (chunked_at != codings - 1) {
      *out = Fail(kStatusBadRequest, "chunked is not the final coding", used);
      return false;
    }
    if (codings != 1) {
      *out = Fail(kStatusNotImplemented, "unsupported transfer coding", used);
      return false;
    }
    state_ = State::kBodyChunked;
    return true;
  }
  if (has_cl) {
    // Repeated or listed values must agree (§6.3 item 5).
    std::optional<uint64_t> length;
    bool bad = false;
    for (const HeaderField& f : h.fields()) {
      if (!EqualsIgnoreCase(f.name, "Content-Length")) continue;
      if (f.value.empty()) bad = true;
      ForEachListElement(f.value, [&](std::string_view v) {
        auto n = ParseDecimal(v);
        if (!n || (length && *length != *n)) bad = true;
        length = n;
        return !bad;
      });
    }
    if (bad || !length) {
      *out = Fail(kStatusBadRequest, "invalid Content-Length", used);
      return false;
    }
    if (*length > config_.max_body_bytes) {
      *out = Fail(kStatusContentTooLarge, "request body too large", used);
      return false;
    }
    body_remaining_ = *length;
    state_ = State::kBodyLength;
    return true;
  }
  return true;  // no body
}

RequestParser::Result RequestParser::Feed(std::string_view in) {
  size_t used = 0;
  Result out{Status::kNeedMore, 0};
  while (true) {
    std::string_view rest = in.substr(used);
    switch (state_) {
      case State::kComplete:
        return {Status::kRequest, used};
      case State::kError:
        return {Status::kError, used};
      case State::kRequestLine: {
        if (rest.empty()) return {Status::kNeedMore, used};
        auto r = line_.Feed(rest, config_.max_request_line);
        used += r.consumed;
        if (r.status == LineReader::Status::kNeedMore) continue;
        if (r.status == LineReader::Status::kBadEnding)
          return Fail(kStatusBadRequest, "bare CR or LF", used);
        if (r.status == LineReader::Status::kTooLong) {
          // One SP seen: the line overflowed inside the target (RFC 9112 §3).
          auto spaces =
              std::count(line_.partial().begin(), line_.partial().end(), ' ');
          return spaces == 1
                     ? Fail(kStatusUriTooLong, "request-target too long", used)
                     : Fail(kStatusBadRequest, "request line too long", used);
        }
        if (line_.line().empty()) {
          if (++empty_lines_ > config_.max_empty_lines)
            return Fail(kStatusBadRequest, "too many empty lines", used);
          continue;
        }
        if (!OnRequestLine(line_.line(), used, &out)) return out;
        line_.Clear();
        state_ = State::kHeaders;
        continue;
      }
      case State::kHeaders: {
        if (rest.empty()) return {Status::kNeedMore, used};
        size_t budget = config_.max_header_bytes - header_bytes_;
        auto r = line_.Feed(rest, budget >= 2 ? budget - 2 : 0);
        used += r.consumed;
        if (r.status == LineReader::Status::kNeedMore) continue;
        if (r.status == LineReader::Status::kBadEnding)
          return Fail(kStatusBadRequest, "bare CR or LF", used);
        if (r.status == LineReader::Status::kTooLong)
          return Fail(kStatusHeaderFieldsTooLarge, "header section too large",
                      used);
        if (line_.line().empty()) {
          line_.Clear();
          if (!OnHeadersDone(used, &out)) return out;
          if (state_ == State::kHeaders) return FinishMessage(used);
          continue;
        }
        header_bytes_ += line_.line().size() + 2;
        if (!OnHeaderLine(line_.line(), used, &out)) return out;
        line_.Clear();
        continue;
      }
      case State::kBodyLength: {
        uint64_t n = std::min<uint64_t>(body_remaining_, rest.size());
        body_remaining_ -= n;
        request_.body_bytes += n;
        used += n;
        if (body_remaining_ == 0) return FinishMessage(used);
        return {Status::kNeedMore, used};
      }
      case State::kBodyChunked: {
        auto r = chunked_.Decode(rest);
        used += r.consumed;
        request_.body_bytes += r.data.size();
        if (request_.body_bytes > config_.max_body_bytes)
          return Fail(kStatusContentTooLarge, "request body too large", used);
        switch (r.status) {
          case ChunkedDecoder::Status::kNeedMore:
            return {Status::kNeedMore, used};
          case ChunkedDecoder::Status::kData:
            continue;
          case ChunkedDecoder::Status::kDone:
            return FinishMessage(used);
          case ChunkedDecoder::Status::kError:
            return Fail(kStatusBadRequest, chunked_.error(), used);
        }
        continue;
      }
    }
  }
}

}  // namespace skiff::http
