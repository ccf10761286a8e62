// Slab<T>: objects in stable slots addressed by generation-checked handles.
// A handle to a freed slot stops resolving, even after the slot is reused,
// so the socket table and event queues never hold dangling pointers
// (DESIGN.md: "never keep raw pointers into [the map]").
#ifndef SKIFF_STACK_BASE_SLAB_H_
#define SKIFF_STACK_BASE_SLAB_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "skiff/socket.h"  // SlabHandle
#include "stack/base/huge_region.h"

namespace skiff {

// Slots live in blocks of 2^k, each a HugeRegion: stable addresses (a slot
// never moves), no allocation per object, and at a million connections the
// table sits on 2 MiB pages instead of a million scattered heap blocks.
template <typename T>
class Slab {
 public:
  explicit Slab(size_t capacity)
      : capacity_(capacity), shift_(BlockShift(capacity)) {}
  ~Slab() {
    for (uint32_t i = 0; i < constructed_; ++i) {
      Slot& s = slot(i);
      if (s.live()) s.value()->~T();
      s.~Slot();
    }
  }
  Slab(const Slab&) = delete;
  Slab& operator=(const Slab&) = delete;

  // Constructs a T in a free slot; an invalid handle when full (or when the
  // kernel refuses the memory for a new block).
  template <typename... Args>
  SlabHandle Emplace(Args&&... args) {
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else if (constructed_ < capacity_) {
      index = constructed_;
      if ((index >> shift_) == blocks_.size()) {
        HugeRegion b = HugeRegion::Allocate(sizeof(Slot) << shift_);
        if (b.data() == nullptr) return {};
        blocks_.push_back(std::move(b));
      }
      new (&slot(index)) Slot();
      ++constructed_;
    } else {
      return {};
    }
    Slot& s = slot(index);
    new (s.storage) T(std::forward<Args>(args)...);
    s.tag |= kLive;
    ++size_;
    return {index, s.generation()};
  }

  // The object behind `h`, or nullptr if it has been freed.
  T* Get(SlabHandle h) {
    if (h.index >= constructed_) return nullptr;
    Slot& s = slot(h.index);
    return s.tag == (h.generation | kLive) ? s.value() : nullptr;
  }
  const T* Get(SlabHandle h) const { return const_cast<Slab*>(this)->Get(h); }

  // The handle of the live object in slot `index` (an invalid handle if
  // the slot is free): for an index kept where the slot is known to be live
  // (the socket table's entries are erased before their slot).
  SlabHandle HandleAt(uint32_t index) const {
    if (index >= constructed_ || !slot(index).live()) return {};
    return {index, slot(index).generation()};
  }

  // The live object in slot `index` (it must be live: e.g. HandleAt found
  // it so).
  const T& At(uint32_t index) const { return *slot(index).value(); }

  // Destroys the object; every handle to it goes stale. False if already.
  bool Erase(SlabHandle h) {
    T* v = Get(h);
    if (v == nullptr) return false;
    v->~T();
    Slot& s = slot(h.index);
    s.tag = (s.tag + 1) & ~kLive;
    free_.push_back(h.index);
    --size_;
    return true;
  }

  // Calls f(handle, T&) for every live object.
  template <typename F>
  void ForEach(F&& f) {
    for (uint32_t i = 0; i < constructed_; ++i) {
      Slot& s = slot(i);
      if (s.live()) f(SlabHandle{i, s.generation()}, *s.value());
    }
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (uint32_t i = 0; i < constructed_; ++i) {
      Slot& s = slot(i);
      if (s.live()) f(SlabHandle{i, s.generation()}, std::as_const(*s.value()));
    }
  }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool full() const { return size_ == capacity_; }
  // Slots per block (a power of two), for tests.
  size_t block_slots() const { return size_t{1} << shift_; }
  size_t block_bytes() const { return sizeof(Slot) << shift_; }

 private:
  // The generation and whether the slot is live share one word, ahead of
  // the object: no std::optional flag and its padding after it (8 bytes a
  // connection), and a lookup reads the tag on the object's first line.
  // Generations count modulo 2^31.
  static constexpr uint32_t kLive = uint32_t{1} << 31;
  struct Slot {
    uint32_t tag = 0;  // generation, | kLive while an object is here
    alignas(T) std::byte storage[sizeof(T)];
    bool live() const { return (tag & kLive) != 0; }
    uint32_t generation() const { return tag & ~kLive; }
    T* value() { return std::launder(reinterpret_cast<T*>(storage)); }
  };

  // A power of two of slots (the index splits with a shift and a mask)
  // that fills at least one 2 MiB huge page and leaves at most an eighth of
  // the block in the tail HugeRegion keeps on 4 KiB pages, but no more than
  // the capacity needs. 1,032-byte slots: 2048 (2 MiB + 16 KiB).
  static uint32_t BlockShift(size_t capacity) {
    const size_t want = std::bit_ceil(std::max<size_t>(capacity, 1));
    const size_t per_page =
        (HugeRegion::kHugePage + sizeof(Slot) - 1) / sizeof(Slot);
    size_t slots = std::bit_ceil(per_page);
    while (slots < want && (sizeof(Slot) * slots) % HugeRegion::kHugePage >
                               sizeof(Slot) * slots / 8) {
      slots *= 2;
    }
    return static_cast<uint32_t>(std::countr_zero(std::min(slots, want)));
  }
  Slot& slot(uint32_t i) const {
    return reinterpret_cast<Slot*>(
        blocks_[i >> shift_].data())[i & ((uint32_t{1} << shift_) - 1)];
  }

  size_t capacity_;
  uint32_t shift_;
  size_t size_ = 0;
  uint32_t constructed_ = 0;  // slots [0, constructed_) hold a Slot
  std::vector<HugeRegion> blocks_;
  std::vector<uint32_t> free_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_SLAB_H_
