// The cps workload's HTTP/1.1 exchange (RFC 9112), shared by every runner so
// both stacks move exactly the same bytes: one GET, one 64-byte page with
// Content-Length and Connection: close.
#ifndef SKIFF_BENCH_HARNESS_HTTP_H_
#define SKIFF_BENCH_HARNESS_HTTP_H_

#include <cstddef>
#include <string_view>

namespace skiff::bench {

inline constexpr std::string_view kHttpRequest =
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
inline constexpr size_t kPageSize = 64;

// The full response: status line, headers and a 64-byte body.
inline constexpr std::string_view kHttpResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 64\r\n"
    "Connection: close\r\n\r\n"
    "0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcde\n";

// True once `buf` holds a request's complete header block (RFC 9112 §2.1:
// a GET has no body, so the blank line ends it).
bool HttpRequestComplete(std::string_view buf);

// Tracks one response as its bytes arrive. Complete when the header block
// and Content-Length body bytes are in; without Content-Length the body
// runs to EOF (RFC 9112 §6.3 rule 8), which the caller reports by
// calling OnEof().
class HttpResponseReader {
 public:
  enum class State { kIncomplete, kComplete, kMalformed };
  // `total` is everything received so far on this connection.
  State Update(std::string_view total);
  State OnEof(std::string_view total);

 private:
  size_t header_len_ = 0;     // 0 until the blank line is seen
  long content_length_ = -1;  // -1: none given
};

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_HTTP_H_
