// Socket handles, TCP states and readiness events of the public API.
#ifndef SKIFF_SOCKET_H_
#define SKIFF_SOCKET_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>

namespace skiff {

/// A generation-checked slot number: what a SocketId or ListenerId holds.
/// Opaque to applications; a reused slot has a new generation, so a stale
/// id is refused (kBadSocket), never confused with its successor.
struct SlabHandle {
  uint32_t index = UINT32_MAX;  ///< slot (UINT32_MAX: no slot)
  uint32_t generation = 0;      ///< bumped on every reuse of the slot

  /// False for a default-constructed handle.
  bool valid() const { return index != UINT32_MAX; }
  friend bool operator==(const SlabHandle&, const SlabHandle&) = default;
  /// Abseil's hash hook (absl::flat_hash_map<SocketId, ...> works).
  template <typename H>
  friend H AbslHashValue(H h, const SlabHandle& s) {
    return H::combine(std::move(h), s.index, s.generation);
  }
};

/// A connection socket. Valid until Close()/Abort() and the stack has
/// finished with the connection; a stale id is refused, never dangling.
struct SocketId {
  SlabHandle handle;  ///< opaque
  /// False for a default-constructed id (no socket).
  bool valid() const { return handle.valid(); }
  friend bool operator==(const SocketId&, const SocketId&) = default;
  /// Abseil's hash hook.
  template <typename H>
  friend H AbslHashValue(H h, const SocketId& s) {
    return H::combine(std::move(h), s.handle);
  }
};

/// A listening socket (a local port, no peer).
struct ListenerId {
  SlabHandle handle;  ///< opaque
  /// False for a default-constructed id (no listener).
  bool valid() const { return handle.valid(); }
  friend bool operator==(const ListenerId&, const ListenerId&) = default;
  /// Abseil's hash hook.
  template <typename H>
  friend H AbslHashValue(H h, const ListenerId& l) {
    return H::combine(std::move(h), l.handle);
  }
};

/// TCP connection states, RFC 9293 §3.3.2. kListen belongs to listeners.
enum class TcpState : uint8_t {
  kClosed,
  kListen,
  kSynSent,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};

/// Readiness of a socket, a typed bitmask. Edge-triggered: an event means
/// "something changed", so the application reads or writes until
/// kWouldBlock.
enum class TcpEvents : uint8_t {
  kNone = 0,
  kConnected = 0x01,  ///< reached ESTABLISHED
  kReadable = 0x02,   ///< new data or EOF
  kWritable = 0x04,   ///< send buffer space freed
  kClosed = 0x08,     ///< reached CLOSED (or TIME-WAIT)
  kError = 0x10,      ///< ended abnormally (see SocketInfo::error)
};

/// Union of two masks.
constexpr TcpEvents operator|(TcpEvents a, TcpEvents b) {
  return static_cast<TcpEvents>(static_cast<uint8_t>(a) |
                                static_cast<uint8_t>(b));
}
/// Intersection of two masks.
constexpr TcpEvents operator&(TcpEvents a, TcpEvents b) {
  return static_cast<TcpEvents>(static_cast<uint8_t>(a) &
                                static_cast<uint8_t>(b));
}
/// Complement (within the defined bits).
constexpr TcpEvents operator~(TcpEvents a) {
  return static_cast<TcpEvents>(~static_cast<uint8_t>(a) & 0x1f);
}
/// a = a | b.
constexpr TcpEvents& operator|=(TcpEvents& a, TcpEvents b) { return a = a | b; }
/// a = a & b.
constexpr TcpEvents& operator&=(TcpEvents& a, TcpEvents b) { return a = a & b; }
/// True when `mask` holds every bit of `bits` (and `bits` is not empty).
constexpr bool Has(TcpEvents mask, TcpEvents bits) {
  return bits != TcpEvents::kNone && (mask & bits) == bits;
}

/// Where a Stack delivers readiness, once per loop turn. Socket calls made
/// inside a handler take effect in the same turn.
class EventHandler {
 public:
  /// The listener's accept queue holds at least one connection.
  virtual void OnAcceptable(ListenerId listener) = 0;
  /// `events` changed on `socket`.
  virtual void OnSocketEvent(SocketId socket, TcpEvents events) = 0;

 protected:
  ~EventHandler() = default;
};

}  // namespace skiff

/// std::hash for SocketId (std::unordered_map keys).
template <>
struct std::hash<skiff::SocketId> {
  size_t operator()(const skiff::SocketId& s) const noexcept {
    return std::hash<uint64_t>()(uint64_t{s.handle.index} << 32 |
                                 s.handle.generation);
  }
};
/// std::hash for ListenerId.
template <>
struct std::hash<skiff::ListenerId> {
  size_t operator()(const skiff::ListenerId& l) const noexcept {
    return std::hash<uint64_t>()(uint64_t{l.handle.index} << 32 |
                                 l.handle.generation);
  }
};

#endif  // SKIFF_SOCKET_H_
