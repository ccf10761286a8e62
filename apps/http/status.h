// HTTP status codes used by skiff's server and client (RFC 9110 §15).
#ifndef SKIFF_APPS_HTTP_STATUS_H_
#define SKIFF_APPS_HTTP_STATUS_H_

#include <string_view>

namespace skiff::http {

// The codes skiff-httpd emits; ReasonPhrase knows these and a few more.
inline constexpr int kStatusOk = 200;
inline constexpr int kStatusBadRequest = 400;
inline constexpr int kStatusForbidden = 403;
inline constexpr int kStatusNotFound = 404;
inline constexpr int kStatusMethodNotAllowed = 405;
inline constexpr int kStatusRequestTimeout = 408;
inline constexpr int kStatusContentTooLarge = 413;
inline constexpr int kStatusUriTooLong = 414;
inline constexpr int kStatusHeaderFieldsTooLarge = 431;
inline constexpr int kStatusInternalError = 500;
inline constexpr int kStatusNotImplemented = 501;
inline constexpr int kStatusVersionNotSupported = 505;

// The RFC 9110 reason phrase, or "Unknown" for codes we do not name.
std::string_view ReasonPhrase(int status);

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_STATUS_H_
