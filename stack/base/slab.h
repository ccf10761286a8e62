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
#include <optional>
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
    for (uint32_t i = 0; i < constructed_; ++i) slot(i).~Slot();
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
    s.value.emplace(std::forward<Args>(args)...);
    ++size_;
    return {index, s.generation};
  }

  // The object behind `h`, or nullptr if it has been freed.
  T* Get(SlabHandle h) {
    if (h.index >= constructed_) return nullptr;
    Slot& s = slot(h.index);
    return s.generation == h.generation && s.value ? &*s.value : nullptr;
  }
  const T* Get(SlabHandle h) const { return const_cast<Slab*>(this)->Get(h); }

  // Destroys the object; every handle to it goes stale. False if already.
  bool Erase(SlabHandle h) {
    if (Get(h) == nullptr) return false;
    Slot& s = slot(h.index);
    s.value.reset();
    ++s.generation;
    free_.push_back(h.index);
    --size_;
    return true;
  }

  // Calls f(handle, T&) for every live object.
  template <typename F>
  void ForEach(F&& f) {
    for (uint32_t i = 0; i < constructed_; ++i) {
      Slot& s = slot(i);
      if (s.value) f(SlabHandle{i, s.generation}, *s.value);
    }
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (uint32_t i = 0; i < constructed_; ++i) {
      const Slot& s = slot(i);
      if (s.value) f(SlabHandle{i, s.generation}, *s.value);
    }
  }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool full() const { return size_ == capacity_; }
  // Slots per block (a power of two), for tests.
  size_t block_slots() const { return size_t{1} << shift_; }
  size_t block_bytes() const { return sizeof(Slot) << shift_; }

 private:
  struct Slot {
    std::optional<T> value;
    uint32_t generation = 0;
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
