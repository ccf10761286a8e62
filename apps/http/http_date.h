// IMF-fixdate for the Date header (RFC 9110 §5.6.7), e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT". Time is a parameter: nothing reads a clock.
#ifndef SKIFF_APPS_HTTP_HTTP_DATE_H_
#define SKIFF_APPS_HTTP_HTTP_DATE_H_

#include <cstdint>
#include <string>

namespace skiff::http {

// Seconds since the Unix epoch (UTC) to IMF-fixdate; 29 characters.
std::string FormatImfFixdate(int64_t unix_seconds);

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_HTTP_DATE_H_
