#include "stack/tcp/tcp_sender.h"

namespace skiff {

void TcpSender::SetAlgorithm(CongestionAlgorithm a) {
  if (a == algorithm()) return;
  const std::variant<NewReno, Cubic> old = cc_;
  if (a == CongestionAlgorithm::kCubic) {
    cc_.emplace<Cubic>();
  } else {
    cc_.emplace<NewReno>();
  }
  cc().AdoptWindow(
      std::visit([](const auto& c) -> const RenoFamily& { return c; }, old));
}

}  // namespace skiff
