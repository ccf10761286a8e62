// The one result type of skiff's socket calls and one error enum per
// operation (smoltcp's ListenError/ConnectError/SendError/RecvError): no
// errno, no exceptions. Every call that takes a socket or listener id
// answers a stale or invalid id with kBadSocket, whatever the operation.
#ifndef SKIFF_ERRORS_H_
#define SKIFF_ERRORS_H_

#include <cstdint>
#include <utility>

namespace skiff {

/// Why Stack::Listen failed.
enum class ListenError : uint8_t {
  kInvalidPort,   ///< port 0
  kAddressInUse,  ///< a listener already holds the port
  kNoMemory,      ///< the listener table is full
};

/// Why Stack::Accept returned no connection.
enum class AcceptError : uint8_t {
  kWouldBlock,  ///< the accept queue is empty
  kBadSocket,   ///< stale or invalid listener id
};

/// Why Stack::Connect failed at once (a failure later, such as a refused
/// connection, arrives as TcpEvents::kError and Info().error).
enum class ConnectError : uint8_t {
  kInvalidAddress,   ///< any, broadcast, multicast or our own address
  kNoRoute,          ///< neither on-link nor a gateway
  kNoEphemeralPort,  ///< every local port to that peer is taken
  kTableFull,        ///< the connection table is full
};

/// Why Stack::Send (or SendReserve/SendCommit) took nothing.
enum class SendError : uint8_t {
  kNotConnected,  ///< never opened
  kClosed,        ///< send side shut down, or the connection ended
  kWouldBlock,    ///< the send buffer is full
  kBadSocket,     ///< stale or invalid socket id
};

/// Why Stack::Recv (or RecvPeek/RecvConsume) gave nothing.
enum class RecvError : uint8_t {
  kWouldBlock,  ///< nothing to read yet
  kEof,         ///< the peer sent FIN and everything before it was read
  kReset,       ///< the connection ended abnormally (see SocketInfo::error)
  kBadSocket,   ///< stale or invalid socket id
};

/// Why an operation on a socket without a result of its own (Close,
/// Shutdown, Abort, Info, the option setters) did nothing.
enum class SocketError : uint8_t {
  kBadSocket,    ///< stale or invalid socket (or listener) id
  kUnsupported,  ///< the option's value cannot be applied now
};

/// The value of a void operation's Result.
struct Unit {
  friend bool operator==(Unit, Unit) = default;
};

/// A value of type T or an error of type E; never both. Calling value() on
/// an error (or error() on a value) returns a value-initialized T (E).
template <typename T, typename E>
class Result {
 public:
  /// A success holding `v`; implicit so that `return v;` works.
  Result(T v) : value_(std::move(v)), ok_(true) {}  // NOLINT: by design
  /// A failure holding `e`.
  static Result Error(E e) { return Result(e, 0); }

  /// True on success.
  bool ok() const { return ok_; }
  /// The value (T{} on failure).
  const T& value() const { return value_; }
  /// The error (E{} on success).
  E error() const { return error_; }
  /// The value, or `fallback` on failure.
  T value_or(T fallback) const { return ok_ ? value_ : fallback; }
  /// Moves the value out (for a move-only T such as RecvBuffer); T{} on
  /// failure, and after the first call.
  T TakeValue() { return std::move(value_); }

 private:
  Result(E e, int) : error_(e), ok_(false) {}
  T value_{};
  E error_{};
  bool ok_;
};

}  // namespace skiff

#endif  // SKIFF_ERRORS_H_
