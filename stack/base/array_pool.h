// Fixed-size arrays of a trivial type, carved from heap blocks and recycled
// through a free list: after warm-up, Take and Give never reach the
// allocator. For the small per-connection tables that only a connection
// moving data needs (a ring's slot table, a SACK scoreboard), so that an
// idle connection holds none of them and a busy one costs no malloc.
#ifndef SKIFF_STACK_BASE_ARRAY_POOL_H_
#define SKIFF_STACK_BASE_ARRAY_POOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace skiff {

template <typename T, uint32_t kCount, uint32_t kPerBlock = 512>
class ArrayPool {
  static_assert(std::is_trivially_copyable_v<T> &&
                std::is_trivially_destructible_v<T>);

 public:
  ArrayPool() = default;
  ArrayPool(const ArrayPool&) = delete;
  ArrayPool& operator=(const ArrayPool&) = delete;

  // kCount value-initialized Ts.
  T* Take() {
    Slot* s = free_;
    if (s != nullptr) {
      free_ = s->next;
    } else {
      if (carved_ == kPerBlock) {  // warm-up only
        blocks_.push_back(std::make_unique<Slot[]>(kPerBlock));
        carved_ = 0;
      }
      s = &blocks_.back()[carved_++];
    }
    for (uint32_t i = 0; i < kCount; ++i) std::construct_at(&s->items[i]);
    ++in_use_;
    return s->items;
  }
  // `a` must come from this pool's Take().
  void Give(T* a) {
    Slot* s = reinterpret_cast<Slot*>(a);  // items is the union's only array
    s->next = free_;
    free_ = s;
    --in_use_;
  }

  uint32_t in_use() const { return in_use_; }
  // Bytes held from the heap (in use or on the free list).
  size_t footprint() const { return blocks_.size() * kPerBlock * sizeof(Slot); }

 private:
  union Slot {
    Slot() : next(nullptr) {}
    Slot* next;  // while on the free list
    T items[kCount];
  };

  std::vector<std::unique_ptr<Slot[]>> blocks_;
  uint32_t carved_ = kPerBlock;  // of blocks_.back()
  uint32_t in_use_ = 0;
  Slot* free_ = nullptr;
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_ARRAY_POOL_H_
