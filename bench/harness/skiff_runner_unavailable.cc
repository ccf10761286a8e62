// Stands in for skiff_runner.cc until skiff's TCP socket API lands: the
// skiff side reports that it does not exist rather than any number. To add
// it, write skiff_runner.cc defining MakeSkiffRunner() (a Runner over two
// skiff stacks on two lcores joined by the in-process wire, and over a real
// port for --target) and swap it for this file in bench/harness/meson.build.
#include "bench/harness/runner.h"

namespace skiff::bench {

absl::StatusOr<std::unique_ptr<Runner>> MakeSkiffRunner(const SkiffOptions&) {
  return absl::UnimplementedError("skiff runner not built yet");
}

}  // namespace skiff::bench
