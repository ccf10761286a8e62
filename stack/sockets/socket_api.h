// The types of skiff's TCP socket API: handles, typed errors and readiness
// events (STYLE.md §8: a small enum per operation, no errno, no throw).
#ifndef SKIFF_STACK_SOCKETS_SOCKET_API_H_
#define SKIFF_STACK_SOCKETS_SOCKET_API_H_

#include <cstdint>

#include "skiff/errors.h"
#include "skiff/socket.h"
#include "stack/base/slab.h"
#include "stack/tcp/tcp_types.h"

namespace skiff {

// The public Result, one type inside and out.
using ListenResult = Result<ListenerId, ListenError>;
using ConnectResult = Result<SocketId, ConnectError>;

// Readiness, delivered once per loop turn (DESIGN.md loop step 4).
// Edge-triggered: an event means "something changed", so the application
// reads or writes until kWouldBlock.
class TcpEventHandler {
 public:
  // The listener's accept queue holds at least one connection.
  virtual void OnAcceptable(ListenerId listener) = 0;
  // TcpEvent bits (kConnected, kReadable, kWritable, kClosed, kError).
  virtual void OnSocketEvent(SocketId socket, uint8_t events) = 0;

 protected:
  ~TcpEventHandler() = default;
};

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_SOCKET_API_H_
