#include "apps/http/mime.h"

#include "apps/http/http_syntax.h"

namespace skiff::http {
namespace {

struct MimeEntry {
  std::string_view ext;
  std::string_view type;
};

constexpr MimeEntry kTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"svg", "image/svg+xml"},
    {"txt", "text/plain; charset=utf-8"},
    {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
};

}  // namespace

std::string_view MimeTypeForPath(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos && dot + 1 < name.size()) {
    std::string_view ext = name.substr(dot + 1);
    for (const MimeEntry& e : kTypes) {
      if (EqualsIgnoreCase(e.ext, ext)) return e.type;
    }
  }
  return "application/octet-stream";
}

}  // namespace skiff::http
