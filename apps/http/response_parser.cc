#include "apps/http/response_parser.h"

#include <algorithm>
#include <optional>

#include "apps/http/http_syntax.h"

namespace skiff::http {

ResponseParser::ResponseParser(ResponseParserConfig config)
    : config_(config), chunked_(config.chunked) {}

void ResponseParser::Reset(bool head_request) {
  head_request_ = head_request;
  state_ = State::kStatusLine;
  line_.Clear();
  header_bytes_ = 0;
  head_ = HttpResponseHead{};
  framing_ = BodyFraming::kNone;
  length_ = remaining_ = 0;
  chunked_.Reset();
  keep_alive_ = false;
  error_ = "";
}

ResponseParser::Result ResponseParser::Fail(const char* why, size_t consumed) {
  state_ = State::kError;
  error_ = why;
  keep_alive_ = false;
  return {Status::kError, consumed, {}};
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ] (§4). A
// missing SP before an empty reason is tolerated: the reason is ignorable.
bool ResponseParser::ParseStatusLine(std::string_view line) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." ||
      (line[7] != '0' && line[7] != '1') || line[8] != ' ' || !digit(line[9]) ||
      !digit(line[10]) || !digit(line[11])) {
    return false;
  }
  if (line.size() > 12 && line[12] != ' ') return false;
  int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100 || status > 599) return false;
  std::string_view reason =
      line.size() > 13 ? line.substr(13) : std::string_view();
  for (char c : reason) {
    if (!IsFieldValueChar(c)) return false;
  }
  head_.version_minor = line[7] - '0';
  head_.status = status;
  head_.reason.assign(reason);
  return true;
}

// Message body length of a response (RFC 9112 §6.3). Returns an error or null.
const char* ResponseParser::DecideFraming() {
  const HeaderList& h = head_.headers;
  bool close = h.HasToken("Connection", "close");
  keep_alive_ = head_.version_minor == 1
                    ? !close
                    : (!close && h.HasToken("Connection", "keep-alive"));
  int status = head_.status;
  if (head_request_ || status == 204 || status == 304) {  // §6.3 item 1
    framing_ = BodyFraming::kNone;
    return nullptr;
  }
  if (h.Count("Transfer-Encoding") > 0) {
    std::string_view last;
    int codings = 0;
    for (const HeaderField& f : h.fields()) {
      if (!EqualsIgnoreCase(f.name, "Transfer-Encoding")) continue;
      ForEachListElement(f.value, [&](std::string_view c) {
        last = c;
        ++codings;
        return true;
      });
    }
    // With Content-Length too, Transfer-Encoding wins and the connection
    // must not be reused (§6.3 item 3).
    if (h.Count("Content-Length") > 0) keep_alive_ = false;
    if (EqualsIgnoreCase(last, "chunked")) {
      if (codings != 1) return "unsupported transfer coding";
      framing_ = BodyFraming::kChunked;
      return nullptr;
    }
    framing_ = BodyFraming::kUntilClose;  // §6.3 item 4
    keep_alive_ = false;
    return codings == 0 ? "empty Transfer-Encoding"
                        : "unsupported transfer coding";
  }
  if (h.Count("Content-Length") > 0) {
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
    if (bad || !length) return "invalid Content-Length";  // §6.3 item 5
    framing_ = BodyFraming::kLength;
    length_ = remaining_ = *length;
    return nullptr;
  }
  framing_ = BodyFraming::kUntilClose;  // §6.3 item 8
  keep_alive_ = false;
  return nullptr;
}

ResponseParser::Result ResponseParser::FeedBody(std::string_view rest,
                                                size_t used) {
  switch (framing_) {
    case BodyFraming::kNone:
      state_ = State::kDone;
      return {Status::kDone, used, {}};
    case BodyFraming::kLength: {
      if (remaining_ == 0) {
        state_ = State::kDone;
        return {Status::kDone, used, {}};
      }
      if (rest.empty()) return {Status::kNeedMore, used, {}};
      size_t n =
          static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
      remaining_ -= n;
      return {Status::kData, used + n, rest.substr(0, n)};
    }
    case BodyFraming::kChunked: {
      auto r = chunked_.Decode(rest);
      switch (r.status) {
        case ChunkedDecoder::Status::kNeedMore:
          return {Status::kNeedMore, used + r.consumed, {}};
        case ChunkedDecoder::Status::kData:
          return {Status::kData, used + r.consumed, r.data};
        case ChunkedDecoder::Status::kDone:
          state_ = State::kDone;
          return {Status::kDone, used + r.consumed, {}};
        case ChunkedDecoder::Status::kError:
          return Fail(chunked_.error(), used + r.consumed);
      }
      return Fail("unreachable", used);
    }
    case BodyFraming::kUntilClose:
      if (rest.empty()) return {Status::kNeedMore, used, {}};
      return {Status::kData, used + rest.size(), rest};
  }
  return Fail("unreachable", used);
}

ResponseParser::Result ResponseParser::Feed(std::string_view in) {
  size_t used = 0;
  while (true) {
    std::string_view rest = in.substr(used);
    switch (state_) {
      case State::kDone:
        return {Status::kDone, used, {}};
      case State::kError:
        return {Status::kError, used, {}};
      case State::kBody:
        return FeedBody(rest, used);
      case State::kStatusLine: {
        if (rest.empty()) return {Status::kNeedMore, used, {}};
        auto r = line_.Feed(rest, config_.max_status_line);
        used += r.consumed;
        if (r.status == LineReader::Status::kNeedMore) continue;
        if (r.status != LineReader::Status::kLine)
          return Fail("bad status line", used);
        if (!ParseStatusLine(line_.line()))
          return Fail("bad status line", used);
        line_.Clear();
        state_ = State::kHeaders;
        continue;
      }
      case State::kHeaders: {
        if (rest.empty()) return {Status::kNeedMore, used, {}};
        size_t budget = config_.max_header_bytes - header_bytes_;
        auto r = line_.Feed(rest, budget >= 2 ? budget - 2 : 0);
        used += r.consumed;
        if (r.status == LineReader::Status::kNeedMore) continue;
        if (r.status == LineReader::Status::kTooLong)
          return Fail("header section too large", used);
        if (r.status != LineReader::Status::kLine)
          return Fail("bare CR or LF", used);
        std::string_view line = line_.line();
        if (line.empty()) {
          line_.Clear();
          if (head_.status == 101)
            return Fail("unexpected 101 Switching Protocols", used);
          if (head_.status < 200) {  // interim response: the real one follows
            head_ = HttpResponseHead{};
            header_bytes_ = 0;
            state_ = State::kStatusLine;
            continue;
          }
          if (const char* why = DecideFraming()) return Fail(why, used);
          state_ = State::kBody;
          return {Status::kHead, used, {}};
        }
        header_bytes_ += line.size() + 2;
        std::string_view name, value;
        if (head_.headers.size() >= config_.max_header_count)
          return Fail("too many header fields", used);
        if (ParseFieldLine(line, &name, &value) != FieldLineError::kOk)
          return Fail("bad header field", used);
        head_.headers.Add(name, value);
        line_.Clear();
        continue;
      }
    }
  }
}

ResponseParser::Result ResponseParser::OnEof() {
  if (state_ == State::kDone) return {Status::kDone, 0, {}};
  if (state_ == State::kBody && framing_ == BodyFraming::kUntilClose) {
    state_ = State::kDone;
    return {Status::kDone, 0, {}};
  }
  if (state_ == State::kError) return {Status::kError, 0, {}};
  return Fail("connection closed before the response was complete", 0);
}

}  // namespace skiff::http
