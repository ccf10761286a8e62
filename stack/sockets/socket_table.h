// The socket table: 4-tuple to the connection's slot in the layer's Slab
// (never a raw pointer into the map, which moves entries as it grows). One
// type for TcpLayer and the benchmark that measures it, so the benchmark
// cannot drift from what the layer uses.
//
// An absl::flat_hash_set of 4-byte slot indices: the key is not stored but
// read from the slot (T::tuple()), where it is anyway, so that at 1 M
// connections the table costs 2^21 x (4 + 1 control byte), 10 B a
// connection (52 with FourTuple -> SlabHandle). The slot's cache line is
// the one the lookup goes on to use, so a hit takes no extra miss. The
// generation a SlabHandle carries is redundant: the table is authoritative,
// an entry goes before its slot is freed (Erase, then Slab::Erase), so
// every index in it names a live slot.
#ifndef SKIFF_STACK_SOCKETS_SOCKET_TABLE_H_
#define SKIFF_STACK_SOCKETS_SOCKET_TABLE_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "stack/base/huge_allocator.h"
#include "stack/base/slab.h"
#include "stack/tcp/tcp_types.h"

namespace skiff {

// T: what the slab holds, with `const FourTuple& tuple() const`.
template <typename T>
class SocketTable {
 public:
  explicit SocketTable(const Slab<T>& slab)
      : set_(0, Hash{&slab}, Eq{&slab}), slab_(slab) {}
  SocketTable(const SocketTable&) = delete;
  SocketTable& operator=(const SocketTable&) = delete;

  // The live slot of `t`'s connection; an invalid handle if none.
  SlabHandle Find(const FourTuple& t) const {
    auto it = set_.find(t);
    return it == set_.end() ? SlabHandle{} : slab_.HandleAt(*it);
  }
  bool Contains(const FourTuple& t) const { return set_.contains(t); }
  // Enters the live object at `h` under its tuple; false (nothing entered)
  // if that tuple is already taken.
  bool Insert(SlabHandle h) { return set_.insert(h.index).second; }
  // Removes the entry of the live object at `h`, if the entry names it.
  // Before the slot is freed.
  void Erase(SlabHandle h) {
    auto it = set_.find(slab_.Get(h)->tuple());
    if (it != set_.end() && *it == h.index) set_.erase(it);
  }
  // Starts the probe for `t` (its control bytes and slots) ahead of Find.
  void Prefetch(const FourTuple& t) const { set_.prefetch(t); }
  size_t size() const { return set_.size(); }
  // A slot index and its control byte.
  static constexpr size_t kSlotBytes = sizeof(uint32_t) + 1;

 private:
  // Slots are looked up by index or by tuple (heterogeneous lookup); both
  // hash the tuple.
  struct Hash {
    using is_transparent = void;
    const Slab<T>* slab;
    size_t operator()(const FourTuple& t) const {
      return absl::Hash<FourTuple>{}(t);
    }
    size_t operator()(uint32_t index) const {
      return (*this)(slab->At(index).tuple());
    }
  };
  struct Eq {
    using is_transparent = void;
    const Slab<T>* slab;
    bool operator()(uint32_t a, uint32_t b) const {
      return slab->At(a).tuple() == slab->At(b).tuple();
    }
    bool operator()(uint32_t a, const FourTuple& b) const {
      return slab->At(a).tuple() == b;
    }
    bool operator()(const FourTuple& a, uint32_t b) const {
      return a == slab->At(b).tuple();
    }
  };

  // On huge pages once it outgrows 2 MiB (huge_allocator.h).
  absl::flat_hash_set<uint32_t, Hash, Eq, HugeAllocator<uint32_t>> set_;
  const Slab<T>& slab_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_SOCKET_TABLE_H_
