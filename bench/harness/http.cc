#include "bench/harness/http.h"

#include <cctype>

namespace skiff::bench {
namespace {

constexpr std::string_view kHeaderEnd = "\r\n\r\n";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Content-Length from a header block, -1 if absent, -2 if unparsable.
long ContentLength(std::string_view headers) {
  constexpr std::string_view kName = "content-length:";
  size_t pos = headers.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < headers.size()) {
    size_t start = pos + 2;
    size_t end = headers.find("\r\n", start);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view line = headers.substr(start, end - start);
    if (line.size() > kName.size() &&
        EqualsIgnoreCase(line.substr(0, kName.size()), kName)) {
      long v = 0;
      bool digits = false;
      for (char c : line.substr(kName.size())) {
        if (c == ' ' || c == '\t') continue;
        if (c < '0' || c > '9') return -2;
        v = v * 10 + (c - '0');
        digits = true;
      }
      return digits ? v : -2;
    }
    pos = end;
  }
  return -1;
}

}  // namespace

bool HttpRequestComplete(std::string_view buf) {
  return buf.find(kHeaderEnd) != std::string_view::npos;
}

HttpResponseReader::State HttpResponseReader::Update(std::string_view total) {
  if (header_len_ == 0) {
    size_t end = total.find(kHeaderEnd);
    if (end == std::string_view::npos) return State::kIncomplete;
    if (!total.starts_with("HTTP/1.")) return State::kMalformed;
    header_len_ = end + kHeaderEnd.size();
    content_length_ = ContentLength(total.substr(0, end));
    if (content_length_ == -2) return State::kMalformed;
  }
  if (content_length_ < 0) return State::kIncomplete;
  return total.size() - header_len_ >= static_cast<size_t>(content_length_)
             ? State::kComplete
             : State::kIncomplete;
}

HttpResponseReader::State HttpResponseReader::OnEof(std::string_view total) {
  State s = Update(total);
  if (s != State::kIncomplete) return s;
  // Only a header block without Content-Length may end at EOF.
  return header_len_ != 0 && content_length_ < 0 ? State::kComplete
                                                 : State::kMalformed;
}

}  // namespace skiff::bench
