#include "apps/http/line_reader.h"

#include <algorithm>

namespace skiff::http {

// Defined byte by byte, so the outcome never depends on where the input was
// split: a CR must be followed by LF, a LF must follow a CR, and the
// (limit+1)-th content byte is kTooLong. Runs of plain bytes are copied at
// once.
LineReader::Result LineReader::Feed(std::string_view in, size_t limit) {
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (pending_cr_) {
      if (c != '\n') return {Status::kBadEnding, i};
      pending_cr_ = false;
      return {Status::kLine, i + 1};
    }
    if (c == '\r') {
      pending_cr_ = true;
      ++i;
      continue;
    }
    if (c == '\n') return {Status::kBadEnding, i};
    size_t run_end = in.find_first_of("\r\n", i);
    if (run_end == std::string_view::npos) run_end = in.size();
    size_t room = limit > buf_.size() ? limit - buf_.size() : 0;
    size_t n = std::min(run_end - i, room);
    buf_.append(in.substr(i, n));
    i += n;
    if (i < run_end) return {Status::kTooLong, i};
  }
  return {Status::kNeedMore, i};
}

}  // namespace skiff::http
