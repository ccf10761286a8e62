#include "apps/http/chunked.h"

#include <algorithm>

#include "apps/http/http_syntax.h"

namespace skiff::http {

void ChunkedDecoder::Reset() {
  state_ = State::kSizeLine;
  line_.Clear();
  remaining_ = 0;
  trailer_bytes_ = 0;
  trailers_.clear();
  error_ = "";
}

ChunkedDecoder::Result ChunkedDecoder::Fail(const char* why, size_t consumed) {
  state_ = State::kError;
  error_ = why;
  return {Status::kError, consumed, {}};
}

// chunk-size [ chunk-ext ]; extensions are ignored (RFC 9112 §7.1.1), but
// must not contain bytes a field value could not.
bool ChunkedDecoder::ParseSizeLine(std::string_view line) {
  size_t end = line.find_first_of("; \t");
  auto size = ParseHex(line.substr(0, end));
  if (!size) return false;
  if (end != std::string_view::npos) {
    std::string_view ext = TrimOws(line.substr(end));
    if (ext.empty() || ext[0] != ';') return false;
    for (char c : ext) {
      if (!IsFieldValueChar(c)) return false;
    }
  }
  remaining_ = *size;
  return true;
}

bool ChunkedDecoder::AddTrailer(std::string_view line) {
  std::string_view name, value;
  if (ParseFieldLine(line, &name, &value) != FieldLineError::kOk) return false;
  trailers_.Add(name, value);
  return true;
}

ChunkedDecoder::Result ChunkedDecoder::Decode(std::string_view in) {
  size_t used = 0;
  while (true) {
    std::string_view rest = in.substr(used);
    switch (state_) {
      case State::kDone:
        return {Status::kDone, used, {}};
      case State::kError:
        return {Status::kError, used, {}};
      case State::kSizeLine: {
        if (rest.empty()) return {Status::kNeedMore, used, {}};
        auto r = line_.Feed(rest, limits_.max_size_line);
        used += r.consumed;
        if (r.status == LineReader::Status::kNeedMore) continue;
        if (r.status != LineReader::Status::kLine)
          return Fail("bad chunk-size line", used);
        if (!ParseSizeLine(line_.line())) return Fail("bad chunk-size", used);
        line_.Clear();
        state_ = remaining_ == 0 ? State::kTrailer : State::kData;
        continue;
      }
      case State::kData: {
        if (rest.empty()) return {Status::kNeedMore, used, {}};
        size_t n =
            static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kDataCr;
        return {Status::kData, used + n, rest.substr(0, n)};
      }
      case State::kDataCr:
      case State::kDataLf: {
        if (rest.empty()) return {Status::kNeedMore, used, {}};
        char want = state_ == State::kDataCr ? '\r' : '\n';
        if (rest[0] != want)
          return Fail("chunk-data not followed by CRLF", used);
        ++used;
        state_ = state_ == State::kDataCr ? State::kDataLf : State::kSizeLine;
        continue;
      }
      case State::kTrailer: {
        if (rest.empty()) return {Status::kNeedMore, used, {}};
        size_t budget = limits_.max_trailer_bytes - trailer_bytes_;
        auto r = line_.Feed(rest, budget >= 2 ? budget - 2 : 0);
        used += r.consumed;
        if (r.status == LineReader::Status::kNeedMore) continue;
        if (r.status != LineReader::Status::kLine)
          return Fail("bad or oversized trailer", used);
        if (line_.line().empty()) {
          state_ = State::kDone;
          continue;
        }
        trailer_bytes_ += line_.line().size() + 2;
        if (trailers_.size() >= limits_.max_trailers ||
            !AddTrailer(line_.line()))
          return Fail("bad trailer field", used);
        line_.Clear();
        continue;
      }
    }
  }
}

}  // namespace skiff::http
