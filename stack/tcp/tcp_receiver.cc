#include "stack/tcp/tcp_receiver.h"

namespace skiff {

uint32_t TcpReceiver::Space() const {
  const uint32_t a = buf.available();
  if (held == 0) return a;
  const uint32_t used = buf.size() + held;
  const uint32_t room = buf.capacity() > used ? buf.capacity() - used : 0;
  return std::min(a, room);
}

uint16_t TcpReceiver::WindowField(bool syn, uint32_t mss) const {
  const uint32_t space = Space();
  const uint32_t cur = Wnd();
  const uint32_t threshold = std::min(buf.capacity() / 2, mss);
  uint32_t w = space;
  if (space >= cur && space - cur < threshold) w = cur;
  if (syn) return static_cast<uint16_t>(std::min<uint32_t>(w, 0xffff));
  return static_cast<uint16_t>(std::min<uint32_t>(w >> scale, 0xffff));
}

}  // namespace skiff
