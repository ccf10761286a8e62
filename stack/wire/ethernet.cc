#include "stack/wire/ethernet.h"

namespace skiff {

void EthernetRepr::Emit(std::byte* p) const {
  dst.Store(p);
  src.Store(p + 6);
  StoreBe16(p + 12, ethertype);
}

}  // namespace skiff
