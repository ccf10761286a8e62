// Content-Type by file extension (RFC 9110 §8.3).
#ifndef SKIFF_APPS_HTTP_MIME_H_
#define SKIFF_APPS_HTTP_MIME_H_

#include <string_view>

namespace skiff::http {

// Case-insensitive on the extension; "application/octet-stream" if unknown.
std::string_view MimeTypeForPath(std::string_view path);

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_MIME_H_
