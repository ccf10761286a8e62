// The escape hatch from the public Stack (include/skiff/stack.h) to the
// StackCore behind it, for tests, benchmarks and in-tree tools. Not
// installed: an appliance never reaches Connection or the layers.
#ifndef SKIFF_STACK_STACK_ACCESS_H_
#define SKIFF_STACK_STACK_ACCESS_H_

#include "skiff/stack.h"
#include "stack/stack_core.h"

namespace skiff {

class StackAccess {
 public:
  static StackCore& Core(Stack& stack) { return *stack.core_; }
  static const StackCore& Core(const Stack& stack) { return *stack.core_; }
};

}  // namespace skiff

#endif  // SKIFF_STACK_STACK_ACCESS_H_
