// From a request-target to a path relative to the document root.
//
// Decision: every lexical refusal is 403 Forbidden (RFC 9110 §15.5.4): a
// ".." segment, raw or percent-encoded; an encoded "/" (%2f) inside a
// segment; NUL or another control byte after decoding. Invalid percent
// encoding is 400. "." and empty segments are dropped (RFC 3986 §5.2.4).
// Names that do not exist are 404 (doc_root.h), symlinks escaping the root 403.
#ifndef SKIFF_APPS_HTTP_TARGET_H_
#define SKIFF_APPS_HTTP_TARGET_H_

#include <optional>
#include <string>
#include <string_view>

namespace skiff::http {

// Decodes %XX escapes (RFC 3986 §2.1); nullopt if a '%' is not followed by
// two hex digits. '+' is not special in paths.
std::optional<std::string> PercentDecode(std::string_view s);

struct TargetPath {
  int status = 0;    // 0 on success, else 400 or 403
  std::string path;  // "a/b/c.html": decoded, no leading '/', "" for the root
  bool directory = false;  // the target named a directory ("/", "/docs/")
};

// Takes origin-form or absolute-form (RFC 9112 §3.2); drops the query.
TargetPath ParseRequestTarget(std::string_view target);

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_TARGET_H_
