// Incremental, sans-IO HTTP/1.1 response parser for skiff-get (RFC 9112 §4,
// §6.3). Body bytes come back as views into the input, never copied.
// Interim 1xx responses are skipped (RFC 9110 §15.2); 101 is an error (we
// never ask to switch protocols).
#ifndef SKIFF_APPS_HTTP_RESPONSE_PARSER_H_
#define SKIFF_APPS_HTTP_RESPONSE_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "apps/http/chunked.h"
#include "apps/http/headers.h"
#include "apps/http/line_reader.h"

namespace skiff::http {

struct ResponseParserConfig {
  size_t max_status_line = 8192;    // without CRLF
  size_t max_header_bytes = 65536;  // field lines with their CRLFs
  size_t max_header_count = 128;
  ChunkedLimits chunked;
};

struct HttpResponseHead {
  int version_minor = 1;
  int status = 0;
  std::string reason;
  HeaderList headers;
};

// How the body ends (RFC 9112 §6.3).
enum class BodyFraming { kNone, kLength, kChunked, kUntilClose };

class ResponseParser {
 public:
  enum class Status {
    kNeedMore,  // all input consumed
    kHead,      // head() is complete; the body (if any) follows
    kData,      // `data` holds body bytes (a view into the input)
    kDone,      // the response is complete; Reset() for the next one
    kError,     // a bad response; error() says why
  };
  struct Result {
    Status status;
    size_t consumed;
    std::string_view data;
  };

  explicit ResponseParser(ResponseParserConfig config = {});

  // Prepares for the next response on the connection. A response to HEAD
  // has no body whatever its headers say (RFC 9110 §9.3.2).
  void Reset(bool head_request = false);

  Result Feed(std::string_view in);
  // The peer closed: ends a close-delimited body (kDone); anywhere else the
  // response is truncated (kError), unless it was already done.
  Result OnEof();

  const HttpResponseHead& head() const { return head_; }
  BodyFraming framing() const { return framing_; }
  uint64_t content_length() const { return length_; }
  const HeaderList& trailers() const { return chunked_.trailers(); }
  // The connection may carry another request after kDone (RFC 9112 §9.3).
  bool keep_alive() const { return keep_alive_; }
  const char* error() const { return error_; }

 private:
  enum class State { kStatusLine, kHeaders, kBody, kDone, kError };

  Result Fail(const char* why, size_t consumed);
  bool ParseStatusLine(std::string_view line);
  const char* DecideFraming();
  Result FeedBody(std::string_view in, size_t used);

  ResponseParserConfig config_;
  bool head_request_ = false;
  State state_ = State::kStatusLine;
  LineReader line_;
  size_t header_bytes_ = 0;
  HttpResponseHead head_;
  BodyFraming framing_ = BodyFraming::kNone;
  uint64_t length_ = 0;
  uint64_t remaining_ = 0;
  ChunkedDecoder chunked_;
  bool keep_alive_ = false;
  const char* error_ = "";
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_RESPONSE_PARSER_H_
