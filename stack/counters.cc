#include "stack/counters.h"

#include "absl/strings/str_format.h"

namespace skiff {

std::string FormatCounters(const StackCounters& c) {
  std::string out;
  VisitCounters(c, [&out](std::string_view name, uint64_t v) {
    if (v != 0) {
      absl::StrAppendFormat(&out, "%-32s %d\n",
                            absl::string_view(name.data(), name.size()), v);
    }
  });
  return out;
}

std::optional<uint64_t> FindCounter(const StackCounters& c,
                                    std::string_view name) {
  std::optional<uint64_t> found;
  VisitCounters(c, [&](std::string_view n, uint64_t v) {
    if (n == name) found = v;
  });
  return found;
}

}  // namespace skiff
