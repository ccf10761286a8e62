// Header fields of one message: an ordered list with case-insensitive lookup
// (RFC 9110 §5.1), and the parser of one field line (RFC 9112 §5).
#ifndef SKIFF_APPS_HTTP_HEADERS_H_
#define SKIFF_APPS_HTTP_HEADERS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::http {

struct HeaderField {
  std::string name;   // as received; compare with EqualsIgnoreCase
  std::string value;  // OWS-trimmed
};

class HeaderList {
 public:
  void Add(std::string_view name, std::string_view value);
  // The first field line with this name.
  std::optional<std::string_view> Get(std::string_view name) const;
  size_t Count(std::string_view name) const;
  // True if any line named `name` lists `token` (comma-separated,
  // case-insensitive), e.g. HasToken("Connection", "close").
  bool HasToken(std::string_view name, std::string_view token) const;

  const std::vector<HeaderField>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<HeaderField> fields_;
};

enum class FieldLineError {
  kOk,
  kObsFold,   // line starts with SP/HTAB: obsolete line folding (§5.2)
  kBadName,   // empty name, non-token byte, or whitespace before ':' (§5.1)
  kBadValue,  // CR, LF, NUL or another control byte in the value
};

// Parses `field-name ":" OWS field-value OWS` (line without CRLF).
FieldLineError ParseFieldLine(std::string_view line, std::string_view* name,
                              std::string_view* value);

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_HEADERS_H_
