// HTTP/1.1 lexical helpers shared by the request and response parsers
// (RFC 9110 §5.6, RFC 9112 §5). Pure functions over bytes; no allocation.
#ifndef SKIFF_APPS_HTTP_HTTP_SYNTAX_H_
#define SKIFF_APPS_HTTP_HTTP_SYNTAX_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace skiff::http {

// tchar (RFC 9110 §5.6.2): the characters of a token.
bool IsTchar(char c);
// token = 1*tchar
bool IsToken(std::string_view s);
// Bytes allowed inside a field value: field-vchar / obs-text / SP / HTAB
// (RFC 9110 §5.5). CR, LF, NUL and other controls are not.
bool IsFieldValueChar(char c);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Strips optional whitespace (SP / HTAB) from both ends (RFC 9110 §5.6.3).
std::string_view TrimOws(std::string_view s);

// 1*DIGIT as an unsigned number; nullopt if empty, non-digit or > 2^63-1.
std::optional<uint64_t> ParseDecimal(std::string_view s);
// 1*HEXDIG as an unsigned number; nullopt if empty, non-hex or > 2^63-1.
std::optional<uint64_t> ParseHex(std::string_view s);

// Calls fn(element) for each non-empty element of a comma-separated list
// (RFC 9110 §5.6.1), elements OWS-trimmed. Stops early if fn returns false.
template <typename Fn>
void ForEachListElement(std::string_view list, Fn fn) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view element = TrimOws(list.substr(0, comma));
    if (!element.empty() && !fn(element)) return;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace skiff::http

#endif  // SKIFF_APPS_HTTP_HTTP_SYNTAX_H_
