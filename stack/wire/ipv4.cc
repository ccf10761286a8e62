#include "stack/wire/ipv4.h"

namespace skiff {

// RFC 791 §3.1 header layout; version 4, IHL 5 (no options).
void Ipv4Repr::Emit(std::byte* p, bool fill_checksum) const {
  Store8(p, 0x45);
  Store8(p + 1, tos);
  StoreBe16(p + 2, total_length());
  StoreBe16(p + 4, id);
  // We never fragment: MF and the offset stay zero.
  StoreBe16(p + 6, dont_fragment ? 0x4000 : 0);
  Store8(p + 8, ttl);
  Store8(p + 9, protocol);
  StoreBe16(p + 10, 0);
  src.Store(p + 12);
  dst.Store(p + 16);
  if (fill_checksum) StoreBe16(p + 10, InternetChecksum({p, kLen}));
}

}  // namespace skiff
