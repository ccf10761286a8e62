// Incremental decoder of the chunked transfer coding (RFC 9112 §7.1), with
// trailer fields (§7.1.2). Data comes back as views into the input: no copy.
#ifndef SKIFF_APPS_HTTP_CHUNKED_H_
#define SKIFF_APPS_HTTP_CHUNKED_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apps/http/headers.h"
#include "apps/http/line_reader.h"

namespace skiff::http {

struct ChunkedLimits {
  size_t max_size_line = 1024;      // chunk-size + chunk-ext, without CRLF
  size_t max_trailer_bytes = 8192;  // all trailer lines with their CRLFs
  size_t max_trailers = 32;         // trailer field lines
};

class ChunkedDecoder {
 public:
  enum class Status {
    kNeedMore,  // all input consumed
    kData,      // `data` holds body bytes (a view into the input)
    kDone,      // last chunk and trailer section read; stop feeding
    kError,     // malformed or over a limit; error() says why
  };
  struct Result {
    Status status;
    size_t consumed;
    std::string_view data;
  };

  explicit ChunkedDecoder(ChunkedLimits limits = {}) : limits_(limits) {}

  Result Decode(std::string_view in);

  const HeaderList& trailers() const { return trailers_; }
  const char* error() const { return error_; }
  void Reset();

 private:
  enum class State {
    kSizeLine,
    kData,
    kDataCr,
    kDataLf,
    kTrailer,
    kDone,
    kError
  };

  Result Fail(const char* why, size_t consumed);
  bool ParseSizeLine(std::string_view line);
  bool AddTrailer(std::string_view line);

  ChunkedLimits limits_;
  State state_ = State::kSizeLine;
  LineReader line_;
  uint64_t remaining_ = 0;
  size_t trailer_bytes_ = 0;
  HeaderList trailers_;
  const char* error_ = "";
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_CHUNKED_H_
