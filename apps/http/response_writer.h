// Serialises a response head (RFC 9112 §4, §6; RFC 9110 §6.6, §10.2) and
// the small built-in pages skiff-httpd serves.
#ifndef SKIFF_APPS_HTTP_RESPONSE_WRITER_H_
#define SKIFF_APPS_HTTP_RESPONSE_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::http {

struct ResponseHead {
  int status = 200;
  std::string_view content_type;  // omitted when empty
  uint64_t content_length = 0;    // always sent: our bodies have a known size
  bool close = false;             // "Connection: close"
  bool keep_alive = false;        // "Connection: keep-alive" (HTTP/1.0 peers)
  bool allow = false;             // "Allow: GET, HEAD" (405, RFC 9110 §15.5.6)
};

// Appends the status line, Date, Server: skiff, Content-Type,
// Content-Length, Connection and Allow, and the empty line that ends the head.
// `unix_seconds` is the wall-clock time for Date (RFC 9110 §6.6.1).
void AppendResponseHead(const ResponseHead& head, int64_t unix_seconds,
                        std::string* out);

// The built-in demo page served when no document root is given.
std::string_view DemoPage();
inline constexpr std::string_view kHtmlType = "text/html; charset=utf-8";

// A small HTML body for an error status: "<h1>404 Not Found</h1>".
std::string ErrorPage(int status);

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_RESPONSE_WRITER_H_
