// Whole-segment matchers, in the style of smoltcp's `recv!`: a test writes
// the segment it expects as a template, IsSegment(template) compares every
// field of what was emitted (ports, seq, ack, flags, window, urgent pointer,
// payload, and each option: MSS, window scale, SACK-permitted, timestamps,
// SACK blocks) and prints one line per field that differs.
//
// A field the test does not care about is written `kAny`: an explicit
// wildcard. No field has a silent default; leaving one out of a template is
// a compile error (Field has no default constructor). The one exception is
// `urgent`, which defaults to the value 0 — compared, not skipped — since
// skiff never sends URG.
//
// Shared by the connection-level tests (tests/unit/tcp/tcp_harness.h) and the
// frame-level ones (tests/unit/stack/tcp_frames.h): both reduce what they saw
// to a Sent, a TCP header and its payload.
#ifndef SKIFF_TESTS_UNIT_TCP_SEGMENT_MATCH_H_
#define SKIFF_TESTS_UNIT_TCP_SEGMENT_MATCH_H_

#include <gmock/gmock.h>

#include <concepts>
#include <cstdint>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff::testing {

// One segment as seen leaving a connection or on the wire, payload copied.
struct Sent {
  TcpRepr h;
  std::string payload;
};

inline std::string FlagNames(uint8_t f) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {TcpFlag::kSyn, "SYN"}, {TcpFlag::kAck, "ACK"}, {TcpFlag::kFin, "FIN"},
      {TcpFlag::kRst, "RST"}, {TcpFlag::kPsh, "PSH"}, {TcpFlag::kUrg, "URG"},
      {TcpFlag::kEce, "ECE"}, {TcpFlag::kCwr, "CWR"}};
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if (!(f & bit)) continue;
    if (!s.empty()) s += "|";
    s += name;
  }
  return s.empty() ? "none" : s;
}

inline std::ostream& operator<<(std::ostream& os, const Sent& s) {
  os << "{" << s.h.src_port << "->" << s.h.dst_port
     << " seq=" << s.h.seq.value() << " ack=" << s.h.ack.value()
     << " flags=" << FlagNames(s.h.flags) << " win=" << s.h.window
     << " len=" << s.payload.size();
  if (s.h.urgent != 0) os << " urg=" << s.h.urgent;
  if (s.h.options.mss) os << " mss=" << *s.h.options.mss;
  if (s.h.options.window_scale) os << " ws=" << int{*s.h.options.window_scale};
  if (s.h.options.sack_permitted) os << " sackOK";
  if (s.h.options.timestamp) {
    os << " ts=" << s.h.options.timestamp->tsval << "/"
       << s.h.options.timestamp->tsecr;
  }
  for (int i = 0; i < s.h.options.sack_count; ++i) {
    os << " sack=" << s.h.options.sack[i].left.value() << "-"
       << s.h.options.sack[i].right.value();
  }
  return os << "}";
}

struct Ports {
  uint16_t src;
  uint16_t dst;
  friend bool operator==(const Ports&, const Ports&) = default;
};

// The explicit wildcard. Not constructible from `{}`, so an omitted
// template field cannot quietly become one.
struct AnyField {
  explicit constexpr AnyField(int) {}
};
inline constexpr AnyField kAny{0};

namespace segment_match_internal {
inline void Show(std::ostream& os, SeqNum s) { os << s.value(); }
inline void Show(std::ostream& os, uint8_t v) { os << int{v}; }
inline void Show(std::ostream& os, uint16_t v) { os << v; }
inline void Show(std::ostream& os, uint32_t v) { os << v; }
inline void Show(std::ostream& os, bool v) { os << (v ? "yes" : "no"); }
inline void Show(std::ostream& os, const Ports& p) {
  os << p.src << "->" << p.dst;
}
template <typename T>
void Show(std::ostream& os, const std::optional<T>& v) {
  if (v) {
    Show(os, *v);
  } else {
    os << "absent";
  }
}
inline void Show(std::ostream& os, const std::vector<SackBlock>& v) {
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) {
    os << (i ? " " : "") << v[i].left.value() << "-" << v[i].right.value();
  }
  os << "]";
}
template <typename T>
std::string ToString(const T& v) {
  std::ostringstream os;
  Show(os, v);
  return os.str();
}
}  // namespace segment_match_internal

// A template field: a value to compare, or kAny. No default constructor, so
// a template must state every field.
template <typename T>
class Field {
 public:
  Field(AnyField) {}  // NOLINT: the wildcard reads as a value
  template <typename U>
  requires std::constructible_from<T, U&&> &&
      (!std::same_as<std::remove_cvref_t<U>, AnyField>)
          Field(U&& v)  // NOLINT: templates read as values
      : want_(T(std::forward<U>(v))) {}

  bool any() const { return !want_.has_value(); }
  const T& value() const { return *want_; }

  // Appends "name: want W, got G" to `diff` when it does not match.
  void Check(const char* name, const T& got,
             std::vector<std::string>* diff) const {
    if (any() || *want_ == got) return;
    diff->push_back(std::string(name) + ": want " +
                    segment_match_internal::ToString(*want_) + ", got " +
                    segment_match_internal::ToString(got));
  }
  std::string ToString() const {
    return any() ? "any" : segment_match_internal::ToString(*want_);
  }

 private:
  std::optional<T> want_;
};

// The payload: exact bytes (a string; "" is no payload), only a length
// (Len(n)), or kAny.
struct Len {
  explicit Len(size_t n) : n(n) {}
  size_t n;
};
class PayloadField {
 public:
  PayloadField(AnyField) {}  // NOLINT
  // A template, so that `{}` (an omitted field) does not compile.
  template <typename S>
  requires std::convertible_to<const S&, std::string_view> PayloadField(
      const S& s)  // NOLINT
      : bytes_(std::string(std::string_view(s))) {}
  PayloadField(Len l) : len_(l.n) {}  // NOLINT

  void Check(const std::string& got, std::vector<std::string>* diff) const {
    if (bytes_ && *bytes_ != got) {
      diff->push_back("payload: want " + Describe() + ", got " + Abbrev(got) +
                      " (" + std::to_string(got.size()) + " bytes)");
    } else if (len_ && *len_ != got.size()) {
      diff->push_back("payload length: want " + std::to_string(*len_) +
                      ", got " + std::to_string(got.size()));
    }
  }
  std::string Describe() const {
    if (bytes_) {
      return Abbrev(*bytes_) + " (" + std::to_string(bytes_->size()) +
             " bytes)";
    }
    if (len_) return std::to_string(*len_) + " bytes";
    return "any";
  }

 private:
  static std::string Abbrev(const std::string& s) {
    return "\"" + (s.size() <= 24 ? s : s.substr(0, 21) + "...") + "\"";
  }
  std::optional<std::string> bytes_;
  std::optional<size_t> len_;
};

// The timestamps option (RFC 7323 §3): absent (std::nullopt), present with
// each of TSval and TSecr compared or kAny (Stamp{.val = kAny, .ecr = 0}), or
// kAny altogether.
struct Stamp {
  Field<uint32_t> val;
  Field<uint32_t> ecr;
};
class TsField {
 public:
  TsField(AnyField) : any_(true) {}            // NOLINT
  TsField(std::nullopt_t) {}                   // NOLINT: must be absent
  TsField(Stamp ts) : want_(std::move(ts)) {}  // NOLINT

  void Check(const std::optional<TcpTimestamp>& got,
             std::vector<std::string>* diff) const {
    if (any_) return;
    if (want_.has_value() != got.has_value()) {
      diff->push_back(
          "timestamps: want " + Describe() + ", got " +
          (got ? std::to_string(got->tsval) + "/" + std::to_string(got->tsecr)
               : "absent"));
      return;
    }
    if (!got) return;
    want_->val.Check("TSval", got->tsval, diff);
    want_->ecr.Check("TSecr", got->tsecr, diff);
  }
  std::string Describe() const {
    if (any_) return "any";
    if (!want_) return "absent";
    return want_->val.ToString() + "/" + want_->ecr.ToString();
  }

 private:
  bool any_ = false;
  std::optional<Stamp> want_;
};

using Blocks = std::vector<SackBlock>;
inline const Blocks kNoSack{};

// The options, each stated: a value, std::nullopt / false / {} for absent,
// or kAny. SACK blocks are [left, right) pairs, most recent first.
struct Opts {
  Field<std::optional<uint16_t>> mss;
  Field<std::optional<uint8_t>> wscale;
  Field<bool> sack_ok;
  TsField ts;
  Field<std::vector<SackBlock>> sack;
};
// No option at all (what a segment carries when nothing was negotiated).
inline const Opts kNoOptions{.mss = std::nullopt,
                             .wscale = std::nullopt,
                             .sack_ok = false,
                             .ts = std::nullopt,
                             .sack = kNoSack};

class OptsField {
 public:
  OptsField(AnyField) {}                      // NOLINT
  OptsField(Opts o) : want_(std::move(o)) {}  // NOLINT

  void Check(const TcpOptions& got, std::vector<std::string>* diff) const {
    if (!want_) return;
    want_->mss.Check("MSS", got.mss, diff);
    want_->wscale.Check("window scale", got.window_scale, diff);
    want_->sack_ok.Check("SACK-permitted", got.sack_permitted, diff);
    want_->ts.Check(got.timestamp, diff);
    want_->sack.Check("SACK blocks",
                      std::vector<SackBlock>(got.sack.begin(),
                                             got.sack.begin() + got.sack_count),
                      diff);
  }
  std::string Describe() const {
    if (!want_) return " options=any";
    return " mss=" + want_->mss.ToString() + " ws=" + want_->wscale.ToString() +
           " sackOK=" + want_->sack_ok.ToString() +
           " ts=" + want_->ts.Describe() + " sack=" + want_->sack.ToString();
  }

 private:
  std::optional<Opts> want_;
};

// The whole expected segment.
struct Seg {
  Field<Ports> ports;
  Field<SeqNum> seq;
  Field<SeqNum> ack;  // the header field, whether or not ACK is set
  Field<uint8_t> flags;
  Field<uint16_t> window;  // raw, as on the wire (unscaled)
  PayloadField payload;
  OptsField options;
  Field<uint16_t> urgent = uint16_t{0};  // compared; skiff never sends URG
};

// One line per field of `got` that differs from `want`; empty on a match.
inline std::vector<std::string> SegmentDiff(const Seg& want, const Sent& got) {
  std::vector<std::string> d;
  want.ports.Check("ports", Ports{got.h.src_port, got.h.dst_port}, &d);
  want.seq.Check("seq", got.h.seq, &d);
  want.ack.Check("ack", got.h.ack, &d);
  if (!want.flags.any() && want.flags.value() != got.h.flags) {
    d.push_back("flags: want " + FlagNames(want.flags.value()) + ", got " +
                FlagNames(got.h.flags));
  }
  want.window.Check("window", got.h.window, &d);
  want.urgent.Check("urgent", got.h.urgent, &d);
  want.payload.Check(got.payload, &d);
  want.options.Check(got.h.options, &d);
  return d;
}

inline std::string Describe(const Seg& s) {
  return "{" + s.ports.ToString() + " seq=" + s.seq.ToString() +
         " ack=" + s.ack.ToString() + " flags=" +
         (s.flags.any() ? std::string("any") : FlagNames(s.flags.value())) +
         " win=" + s.window.ToString() + " urg=" + s.urgent.ToString() +
         " payload=" + s.payload.Describe() + s.options.Describe() + "}";
}

class SegmentMatcher {
 public:
  using is_gtest_matcher = void;
  explicit SegmentMatcher(Seg want) : want_(std::move(want)) {}

  bool MatchAndExplain(const Sent& got, std::ostream* os) const {
    const std::vector<std::string> d = SegmentDiff(want_, got);
    if (os != nullptr) {
      for (const std::string& line : d) *os << "\n      " << line;
    }
    return d.empty();
  }
  void DescribeTo(std::ostream* os) const {
    *os << "is the segment " << Describe(want_);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "is not the segment " << Describe(want_);
  }

 private:
  Seg want_;
};

// EXPECT_THAT(PollOne(), IsSegment({.ports = ..., .seq = L(0), ...})).
inline ::testing::Matcher<const Sent&> IsSegment(Seg want) {
  return SegmentMatcher(std::move(want));
}

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_TCP_SEGMENT_MATCH_H_
