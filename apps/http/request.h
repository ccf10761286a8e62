// A parsed HTTP/1.1 request (RFC 9112 §3) and the parser's typed error.
#ifndef SKIFF_APPS_HTTP_REQUEST_H_
#define SKIFF_APPS_HTTP_REQUEST_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "apps/http/headers.h"

namespace skiff::http {

// skiff-httpd serves GET and HEAD only; every other method is answered 405.
enum class Method { kGet, kHead };

struct HttpRequest {
  Method method = Method::kGet;
  std::string target;  // request-target as received (origin- or absolute-form)
  int version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  HeaderList headers;
  // RFC 9112 §9.3: 1.1 persists unless "Connection: close"; 1.0 persists
  // only with "Connection: keep-alive".
  bool keep_alive = true;
  uint64_t body_bytes = 0;  // a request body was read and discarded
};

struct RequestError {
  int status = 0;  // 400, 405, 413, 414, 431, 501 or 505
  // False only for 405: the request was framed correctly and fully read, so
  // the connection may carry the next one. Every other error closes.
  bool close = true;
  const char* detail = "";  // a static string, for logs and tests
};

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_REQUEST_H_
