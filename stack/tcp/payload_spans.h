// A received segment's payload as a sequence of byte spans, so that a
// chained segment (a GRO super-segment, one span per mbuf) is copied once,
// straight from where it arrived into the receive ring, with no gather
// buffer in between. A plain segment is one span and stays one span: every
// operation on it is what a ConstByteSpan would do.
//
// The parts array belongs to whoever built the view (the layer) and must
// outlive it; the view only points into it.
#ifndef SKIFF_STACK_TCP_PAYLOAD_SPANS_H_
#define SKIFF_STACK_TCP_PAYLOAD_SPANS_H_

#include <algorithm>
#include <cstddef>
#include <span>

#include "stack/wire/bytes.h"

namespace skiff {

class PayloadSpans {
 public:
  PayloadSpans() = default;
  // One contiguous payload (implicit: a ConstByteSpan is a payload).
  PayloadSpans(ConstByteSpan bytes)  // NOLINT(google-explicit-constructor)
      : head_(bytes), size_(bytes.size()) {}
  // parts[0], parts[1], ... in stream order; their sizes sum to the
  // payload's (empty parts are allowed and skipped).
  explicit PayloadSpans(std::span<const ConstByteSpan> parts) {
    if (parts.empty()) return;
    head_ = parts[0];
    rest_ = parts.subspan(1);
    size_ = head_.size();
    for (const ConstByteSpan& p : rest_) size_ += p.size();
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // All the bytes sit in the first span (always so for a plain segment).
  bool contiguous() const { return head_.size() >= size_; }
  // The bytes when contiguous(); otherwise only the first span's.
  ConstByteSpan head() const {
    return head_.first(std::min(head_.size(), size_));
  }

  // The first n bytes (n > size() keeps all), as span::first.
  PayloadSpans first(size_t n) const {
    PayloadSpans r = *this;
    r.size_ = std::min(n, size_);
    if (r.head_.size() >= r.size_) r.rest_ = {};
    return r;
  }
  // Without the first d bytes (d > size() leaves none), as span::subspan.
  PayloadSpans subspan(size_t d) const {
    PayloadSpans r = *this;
    d = std::min(d, size_);
    r.size_ -= d;
    while (d >= r.head_.size() && !r.rest_.empty()) {
      d -= r.head_.size();
      r.head_ = r.rest_.front();
      r.rest_ = r.rest_.subspan(1);
    }
    r.head_ = r.head_.subspan(std::min(d, r.head_.size()));
    return r;
  }

  // Calls f(ConstByteSpan) for each non-empty piece in order, until f
  // returns false; returns whether every call returned true.
  template <typename F>
  bool ForEach(F&& f) const {
    size_t left = size_;
    ConstByteSpan p = head_;
    for (size_t i = 0;; ++i) {
      const size_t k = std::min(p.size(), left);
      if (k > 0 && !f(p.first(k))) return false;
      left -= k;
      if (left == 0 || i >= rest_.size()) return true;
      p = rest_[i];
    }
  }

 private:
  ConstByteSpan head_;                   // the first (possibly trimmed) part
  std::span<const ConstByteSpan> rest_;  // the parts after it
  size_t size_ = 0;                      // bytes in the view, <= the parts'
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_PAYLOAD_SPANS_H_
