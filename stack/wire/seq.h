// 32-bit TCP sequence numbers with modular comparison (RFC 9293 §3.4).
#ifndef SKIFF_STACK_WIRE_SEQ_H_
#define SKIFF_STACK_WIRE_SEQ_H_

#include <cstdint>

namespace skiff {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(uint32_t v) : v_(v) {}
  constexpr uint32_t value() const { return v_; }

  constexpr SeqNum operator+(uint32_t n) const { return SeqNum(v_ + n); }
  constexpr SeqNum operator-(uint32_t n) const { return SeqNum(v_ - n); }
  constexpr SeqNum& operator+=(uint32_t n) {
    v_ += n;
    return *this;
  }
  // Signed distance from `o` to this; meaningful within 2^31.
  constexpr int32_t operator-(SeqNum o) const {
    return static_cast<int32_t>(v_ - o.v_);
  }
  constexpr bool operator==(const SeqNum&) const = default;
  constexpr bool operator<(SeqNum o) const { return (*this - o) < 0; }
  constexpr bool operator<=(SeqNum o) const { return (*this - o) <= 0; }
  constexpr bool operator>(SeqNum o) const { return (*this - o) > 0; }
  constexpr bool operator>=(SeqNum o) const { return (*this - o) >= 0; }

 private:
  uint32_t v_ = 0;
};

// lo <= s < hi, modulo 2^32.
constexpr bool SeqInRange(SeqNum s, SeqNum lo, SeqNum hi) {
  return lo <= s && s < hi;
}
constexpr SeqNum SeqMax(SeqNum a, SeqNum b) { return a < b ? b : a; }
constexpr SeqNum SeqMin(SeqNum a, SeqNum b) { return a < b ? a : b; }

}  // namespace skiff

#endif  // SKIFF_STACK_WIRE_SEQ_H_
