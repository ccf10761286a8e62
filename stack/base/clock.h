// Time as plain values. The protocol core never reads a clock: callers pass
// `Instant now` in, and deadlines come back out as Instants (DESIGN.md).
// The types are public (include/skiff/time.h); this is their internal path.
#ifndef SKIFF_STACK_BASE_CLOCK_H_
#define SKIFF_STACK_BASE_CLOCK_H_

#include "skiff/time.h"

#endif  // SKIFF_STACK_BASE_CLOCK_H_
