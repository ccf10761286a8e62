// Link and network addresses as small value types: MacAddress, Ipv4Address,
// Ipv4Cidr. Public (include/skiff/addr.h); this is their internal path.
#ifndef SKIFF_STACK_WIRE_ADDR_H_
#define SKIFF_STACK_WIRE_ADDR_H_

#include "skiff/addr.h"

#endif  // SKIFF_STACK_WIRE_ADDR_H_
