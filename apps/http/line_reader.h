// Incremental CRLF line reader with a length limit: the framing primitive of
// every HTTP/1.1 parser here (RFC 9112 §2.2). Bytes may arrive split anywhere.
#ifndef SKIFF_APPS_HTTP_LINE_READER_H_
#define SKIFF_APPS_HTTP_LINE_READER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace skiff::http {

class LineReader {
 public:
  enum class Status {
    kNeedMore,   // all input consumed, no line end yet
    kLine,       // line() holds a complete line
    kTooLong,    // the line would exceed the limit; partial() holds its start
    kBadEnding,  // bare CR or bare LF (RFC 9112 §2.2: we accept only CRLF)
  };
  struct Result {
    Status status;
    size_t consumed;  // bytes of `in` taken (the line end included on kLine)
  };

  // Reads up to and including the next CRLF. `limit` bounds the length of
  // the line without its CRLF; memory never exceeds `limit` bytes.
  Result Feed(std::string_view in, size_t limit);

  // The complete line without CRLF (after kLine), or the bytes buffered so
  // far (after kNeedMore / kTooLong).
  std::string_view line() const { return buf_; }
  std::string_view partial() const { return buf_; }
  // Bytes buffered for the line in progress.
  size_t buffered() const { return buf_.size() + pending_cr_; }

  void Clear() {
    buf_.clear();
    pending_cr_ = false;
  }

 private:
  std::string buf_;  // the line's content, never a CR or LF
  bool pending_cr_ = false;
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_LINE_READER_H_
