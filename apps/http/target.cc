#include "apps/http/target.h"

#include "apps/http/http_syntax.h"
#include "apps/http/status.h"

namespace skiff::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// absolute-form: "http://host[:port]/path" -> "/path" (RFC 9112 §3.2.2).
std::string_view PathOf(std::string_view target) {
  if (target.empty() || target[0] == '/') return target;
  size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return target;
  std::string_view after = target.substr(scheme_end + 3);
  size_t slash = after.find_first_of("/?#");
  if (slash == std::string_view::npos) return "/";
  if (after[slash] != '/') return "/";
  return after.substr(slash);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

TargetPath ParseRequestTarget(std::string_view target) {
  TargetPath out;
  std::string_view path = PathOf(target);
  path = path.substr(0, path.find_first_of("?#"));
  if (path.empty() || path[0] != '/') {
    out.status = kStatusBadRequest;
    return out;
  }
  out.directory = true;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    size_t end = path.find('/');
    std::string_view raw = path.substr(0, end);
    path =
        end == std::string_view::npos ? std::string_view() : path.substr(end);
    auto segment = PercentDecode(raw);
    if (!segment) {
      out.status = kStatusBadRequest;
      return out;
    }
    // A decoded "/" would join segments the client kept apart; control
    // bytes (NUL above all) have no place in a file name we serve.
    for (char c : *segment) {
      if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        out.status = kStatusForbidden;
        return out;
      }
    }
    if (*segment == "..") {
      out.status = kStatusForbidden;
      return out;
    }
    if (segment->empty() || *segment == ".") {
      out.directory = true;
      continue;
    }
    if (!out.path.empty()) out.path.push_back('/');
    out.path.append(*segment);
    out.directory = false;
  }
  return out;
}

}  // namespace skiff::http
