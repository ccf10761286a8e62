// Byte spans and big-endian loads and stores (wire code and applications).
// Public (include/skiff/bytes.h); this is their internal path.
#ifndef SKIFF_STACK_WIRE_BYTES_H_
#define SKIFF_STACK_WIRE_BYTES_H_

#include "skiff/bytes.h"

#endif  // SKIFF_STACK_WIRE_BYTES_H_
