// Buffers that cross the API without a copy (issue 9): RecvBuffer, the
// received bytes of Stack::RecvZeroCopy, and OwnedBytes, the bytes an
// application gives up to Stack::SendOwned. Compiles without DPDK: a
// RecvBuffer holds its mbuf as an opaque pointer and frees it through the
// library.
#ifndef SKIFF_ZERO_COPY_H_
#define SKIFF_ZERO_COPY_H_

#include <cstddef>
#include <memory>
#include <utility>

#include "skiff/bytes.h"

namespace skiff {

class Stack;

/// Received bytes handed over by Stack::RecvZeroCopy, owned by the
/// application. Move-only; the bytes stay valid and unchanged until it is
/// destroyed or Reset(), whatever the stack does meanwhile (the socket may
/// be closed, the Stack destroyed). Destroy it before the Device whose
/// mbuf pool it may hold an mbuf of.
class RecvBuffer {
 public:
  /// An empty buffer (no bytes).
  RecvBuffer() = default;
  /// Frees the mbuf (or the copy) it holds.
  ~RecvBuffer() { Reset(); }
  /// Takes the bytes of `o`, which becomes empty.
  RecvBuffer(RecvBuffer&& o) noexcept
      : mbuf_(std::exchange(o.mbuf_, nullptr)),
        copy_(std::move(o.copy_)),
        bytes_(std::exchange(o.bytes_, {})) {}
  /// Frees what this held, then takes the bytes of `o`.
  RecvBuffer& operator=(RecvBuffer&& o) noexcept {
    if (this != &o) {
      Reset();
      mbuf_ = std::exchange(o.mbuf_, nullptr);
      copy_ = std::move(o.copy_);
      bytes_ = std::exchange(o.bytes_, {});
    }
    return *this;
  }
  RecvBuffer(const RecvBuffer&) = delete;
  RecvBuffer& operator=(const RecvBuffer&) = delete;

  /// The received bytes, in stream order.
  ConstByteSpan bytes() const { return bytes_; }
  /// bytes().size().
  size_t size() const { return bytes_.size(); }
  /// True when it holds no bytes.
  bool empty() const { return bytes_.empty(); }
  /// True when the bytes are the received mbuf's own (no copy at all);
  /// false when they were copied out of the socket's receive buffer (the
  /// fallback, see Stack::RecvZeroCopy).
  bool zero_copy() const { return mbuf_ != nullptr; }
  /// Frees the bytes now; the buffer becomes empty.
  void Reset();

 private:
  friend class Stack;
  void* mbuf_ = nullptr;  // rte_mbuf*, freed by Reset()
  std::unique_ptr<std::byte[]> copy_;
  ConstByteSpan bytes_;
};

/// Bytes the application gives up to Stack::SendOwned: a pointer, a length
/// and how to give them back. Move-only. The stack keeps them unchanged
/// (and never writes to them) until the peer has acknowledged every byte,
/// then calls the release function exactly once; also when the
/// connection ends first (reset, Abort, timeout) or the Stack is
/// destroyed. An OwnedBytes destroyed while still holding its bytes
/// releases them too.
class OwnedBytes {
 public:
  /// Called once with the context, data and size given to the constructor.
  using ReleaseFn = void (*)(void* context, const std::byte* data, size_t size);

  /// No bytes.
  OwnedBytes() = default;
  /// `size` bytes at `data`, handed back through `release(context, data,
  /// size)` (may be null: nothing to give back).
  OwnedBytes(const std::byte* data, size_t size, ReleaseFn release,
             void* context)
      : data_(data), size_(size), release_(release), context_(context) {}
  /// The first `size` bytes of a heap array, deleted on release.
  OwnedBytes(std::unique_ptr<std::byte[]> data, size_t size)
      : data_(data.release()),
        size_(size),
        release_([](void*, const std::byte* d, size_t) { delete[] d; }) {}
  /// Takes the bytes of `o`, which becomes empty.
  OwnedBytes(OwnedBytes&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        release_(std::exchange(o.release_, nullptr)),
        context_(std::exchange(o.context_, nullptr)) {}
  /// Releases what this held, then takes the bytes of `o`.
  OwnedBytes& operator=(OwnedBytes&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      release_ = std::exchange(o.release_, nullptr);
      context_ = std::exchange(o.context_, nullptr);
    }
    return *this;
  }
  OwnedBytes(const OwnedBytes&) = delete;
  OwnedBytes& operator=(const OwnedBytes&) = delete;
  /// Releases the bytes if it still holds them.
  ~OwnedBytes() { Release(); }

  /// The bytes.
  ConstByteSpan bytes() const { return {data_, size_}; }
  /// bytes().size().
  size_t size() const { return size_; }
  /// True when it holds no bytes.
  bool empty() const { return size_ == 0; }
  /// Calls the release function now (once) and becomes empty.
  void Release() {
    const ReleaseFn fn = std::exchange(release_, nullptr);
    const std::byte* d = std::exchange(data_, nullptr);
    const size_t n = std::exchange(size_, 0);
    void* ctx = std::exchange(context_, nullptr);
    if (fn != nullptr) fn(ctx, d, n);
  }

 private:
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
  ReleaseFn release_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace skiff

#endif  // SKIFF_ZERO_COPY_H_
