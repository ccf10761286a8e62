// Incremental, sans-IO HTTP/1.1 request parser (RFC 9112). Bytes may arrive
// split anywhere; Feed stops at the end of each message so pipelined requests
// are returned one by one. Memory is bounded by the limits in the config.
//
// Decisions:
// - Only CRLF ends a line; bare CR or LF is 400 (RFC 9112 §2.2 allows
//   either; strict is safer against request smuggling).
// - obs-fold is rejected with 400 (§5.2).
// - A body on GET/HEAD (§6) is read and discarded, by Content-Length or
//   chunked (§7.1, trailers dropped); over max_body_bytes is 413.
// - Content-Length together with Transfer-Encoding is 400 (§6.3 lets a
//   server reject it; it is the classic smuggling vector). A transfer coding
//   other than a single final "chunked" is 501 (§6.1), chunked not last is 400
//   (§6.3), any Transfer-Encoding on HTTP/1.0 is 400 (§6.1).
// - Versions other than 1.0 / 1.1 are 505; methods other than GET / HEAD are
//   405 after the whole message is read, keeping the connection usable.
#ifndef SKIFF_APPS_HTTP_REQUEST_PARSER_H_
#define SKIFF_APPS_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apps/http/chunked.h"
#include "apps/http/line_reader.h"
#include "apps/http/request.h"

namespace skiff::http {

struct RequestParserConfig {
  size_t max_request_line =
      8192;  // without CRLF; over: 414 in the target, else 400
  size_t max_header_bytes = 16384;    // field lines with their CRLFs; over: 431
  size_t max_header_count = 64;       // field lines; over: 431
  uint64_t max_body_bytes = 1 << 20;  // discarded request body; over: 413
  size_t max_empty_lines = 4;  // CRLFs skipped before a request line (§2.2)
};

class RequestParser {
 public:
  enum class Status {
    kNeedMore,  // all input consumed; the message is not complete
    kRequest,   // a request is complete: TakeRequest()
    kError,     // error() holds the status to answer with
  };
  struct Result {
    Status status;
    size_t consumed;  // never past the end of the completed message
  };
  // Where the parser is within the current message (for timeouts).
  enum class Phase { kIdle, kHead, kBody };

  explicit RequestParser(RequestParserConfig config = {});

  // Consumes a prefix of `in`. After kRequest call TakeRequest() before
  // feeding more. After kError with error().close == false (405), the parser
  // is ready for the next message; otherwise it stays in error.
  Result Feed(std::string_view in);

  HttpRequest TakeRequest();
  const RequestError& error() const { return error_; }
  Phase phase() const;
  // Bytes the parser holds for the line in progress (bounded by the limits).
  size_t buffered() const { return line_.buffered(); }

 private:
  enum class State {
    kRequestLine,
    kHeaders,
    kBodyLength,
    kBodyChunked,
    kComplete,
    kError
  };

  Result Fail(int status, const char* detail, size_t consumed);
  bool OnRequestLine(std::string_view line, size_t consumed, Result* out);
  bool OnHeaderLine(std::string_view line, size_t consumed, Result* out);
  bool OnHeadersDone(size_t consumed, Result* out);
  Result FinishMessage(size_t consumed);
  void StartNext();

  RequestParserConfig config_;
  State state_ = State::kRequestLine;
  LineReader line_;
  ChunkedDecoder chunked_;
  size_t empty_lines_ = 0;
  size_t header_bytes_ = 0;
  uint64_t body_remaining_ = 0;
  int deferred_status_ = 0;  // 405: answered once the message is read
  HttpRequest request_;
  RequestError error_;
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_REQUEST_PARSER_H_
