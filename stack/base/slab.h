// Slab<T>: objects in stable slots addressed by generation-checked handles.
// A handle to a freed slot stops resolving, even after the slot is reused,
// so the socket table and event queues never hold dangling pointers
// (DESIGN.md: "never keep raw pointers into [the map]").
#ifndef SKIFF_STACK_BASE_SLAB_H_
#define SKIFF_STACK_BASE_SLAB_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "skiff/socket.h"  // SlabHandle

namespace skiff {

template <typename T>
class Slab {
 public:
  explicit Slab(size_t capacity) : capacity_(capacity) {}
  Slab(const Slab&) = delete;
  Slab& operator=(const Slab&) = delete;

  // Constructs a T in a free slot; an invalid handle when full.
  template <typename... Args>
  SlabHandle Emplace(Args&&... args) {
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else if (slots_.size() < capacity_) {
      index = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();  // deque: existing slots never move
    } else {
      return {};
    }
    Slot& s = slots_[index];
    s.value.emplace(std::forward<Args>(args)...);
    ++size_;
    return {index, s.generation};
  }

  // The object behind `h`, or nullptr if it has been freed.
  T* Get(SlabHandle h) {
    if (h.index >= slots_.size()) return nullptr;
    Slot& s = slots_[h.index];
    return s.generation == h.generation && s.value ? &*s.value : nullptr;
  }
  const T* Get(SlabHandle h) const { return const_cast<Slab*>(this)->Get(h); }

  // Destroys the object; every handle to it goes stale. False if already.
  bool Erase(SlabHandle h) {
    if (Get(h) == nullptr) return false;
    Slot& s = slots_[h.index];
    s.value.reset();
    ++s.generation;
    free_.push_back(h.index);
    --size_;
    return true;
  }

  // Calls f(handle, T&) for every live object.
  template <typename F>
  void ForEach(F&& f) {
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.value) f(SlabHandle{i, s.generation}, *s.value);
    }
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (s.value) f(SlabHandle{i, s.generation}, *s.value);
    }
  }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool full() const { return size_ == capacity_; }

 private:
  struct Slot {
    std::optional<T> value;
    uint32_t generation = 0;
  };
  size_t capacity_;
  size_t size_ = 0;
  std::deque<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_SLAB_H_
