#include "apps/http/headers.h"

#include "apps/http/http_syntax.h"

namespace skiff::http {

void HeaderList::Add(std::string_view name, std::string_view value) {
  fields_.push_back({std::string(name), std::string(value)});
}

std::optional<std::string_view> HeaderList::Get(std::string_view name) const {
  for (const HeaderField& f : fields_) {
    if (EqualsIgnoreCase(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

size_t HeaderList::Count(std::string_view name) const {
  size_t n = 0;
  for (const HeaderField& f : fields_) n += EqualsIgnoreCase(f.name, name);
  return n;
}

bool HeaderList::HasToken(std::string_view name, std::string_view token) const {
  bool found = false;
  for (const HeaderField& f : fields_) {
    if (!EqualsIgnoreCase(f.name, name)) continue;
    ForEachListElement(f.value, [&](std::string_view e) {
      found = EqualsIgnoreCase(e, token);
      return !found;
    });
    if (found) return true;
  }
  return false;
}

FieldLineError ParseFieldLine(std::string_view line, std::string_view* name,
                              std::string_view* value) {
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t'))
    return FieldLineError::kObsFold;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return FieldLineError::kBadName;
  // No whitespace between name and colon (RFC 9112 §5.1): IsToken rejects it.
  std::string_view n = line.substr(0, colon);
  if (!IsToken(n)) return FieldLineError::kBadName;
  std::string_view v = TrimOws(line.substr(colon + 1));
  for (char c : v) {
    if (!IsFieldValueChar(c)) return FieldLineError::kBadValue;
  }
  *name = n;
  *value = v;
  return FieldLineError::kOk;
}

}  // namespace skiff::http
