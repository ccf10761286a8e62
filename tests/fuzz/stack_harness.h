// StackHarness: one StackCore on a TestChannel, played against by a scripted
// peer, for the whole-stack fuzz target (stack_fuzz.cc).
//
// Start() brings the stack to a known shape: a listener on port 80 and an
// ESTABLISHED connection from the peer (10.0.0.2:40000) with data sent both
// ways. The fuzzer then injects frames: raw ones as given, and TCP segments
// (and ICMP errors quoting them) built on the 4-tuples the harness has seen
// the stack use, with sequence numbers near the stack's own and correct
// checksums, so that they reach LISTEN, SYN-RECEIVED, SYN-SENT and the
// synchronized states instead of dying at the checksum check.
//
// After every step CheckStep() verifies the invariants; Finish() closes
// everything, runs the timers out and checks that nothing is left: no
// connection, no mbuf. A violated invariant aborts (libFuzzer reports it).
#ifndef SKIFF_TESTS_FUZZ_STACK_HARNESS_H_
#define SKIFF_TESTS_FUZZ_STACK_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "drivers/sim/test_channel.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"
#include "stack/wire/tcp.h"

namespace skiff::fuzz {

using Bytes = std::vector<std::byte>;

inline constexpr MacAddress kOurMac({0x02, 0, 0, 0, 0, 0x01});
inline constexpr MacAddress kPeerMac({0x02, 0, 0, 0, 0, 0x02});
inline constexpr Ipv4Address kOurIp(10, 0, 0, 1);
inline constexpr Ipv4Address kPeerIp(10, 0, 0, 2);
inline constexpr uint16_t kListenPort = 80;
inline constexpr uint16_t kPeerPort = 40000;

// Brings up EAL (no hugepages, no PCI) and the shared mbuf pool, once.
PacketPool& FuzzPool();

// What the harness knows about one 4-tuple from the segments the stack sent.
struct Flow {
  uint16_t our_port = 0;
  uint16_t peer_port = 0;
  uint32_t our_nxt = 0;  // just past the highest sequence number we sent
  uint32_t our_ack = 0;  // the last ACK we sent (the peer's next seq)
  uint32_t our_tsval = 0;
};

class StackHarness final : private TcpEventHandler {
 public:
  StackHarness();
  ~StackHarness();

  // The listener and the scripted handshake plus data both ways.
  void Start();

  // --- what the fuzzer can do; each runs one loop turn and CheckStep() ---
  void InjectRaw(ConstByteSpan frame);
  // An IPv4 datagram from `src` with a valid header checksum.
  void InjectIpv4(uint8_t protocol, ConstByteSpan payload,
                  Ipv4Address src = kPeerIp);
  // A TCP header + payload from the peer; only the checksum is fixed.
  void InjectRawTcp(ConstByteSpan segment);
  // A segment from the peer with header `hdr` (absolute values), options
  // as `raw_options` when given (padded to 4 with EOL), and `payload_len`
  // bytes of payload; correct checksums.
  void InjectTcp(const TcpRepr& hdr, const Bytes* raw_options,
                 size_t payload_len);
  // ICMP destination unreachable quoting our segment on flow `flow`.
  void InjectIcmpError(size_t flow, uint8_t code, uint16_t mtu,
                       int64_t seq_delta, bool from_router);
  void InjectArp(bool reply, uint8_t mac_byte, uint8_t ip_byte);
  void Advance(Duration d);
  // Application actions on the owned socket `which` (modulo their count).
  void AppSend(size_t which, size_t len);
  void AppRecv(size_t which);
  void AppShutdown(size_t which);
  void AppClose(size_t which);
  void AppAbort(size_t which);
  void AppConnect(uint16_t port);
  void AppSetAutoRead(bool on) { auto_read_ = on; }

  // Closes every socket and the listener, runs the clock until every timer
  // is spent and checks that no connection and no mbuf is left.
  void Finish();

  const std::vector<Flow>& flows() const { return flows_; }
  const StackCore& stack() const { return *stack_; }
  // The peer's timestamp clock: 1 per ms of simulated time.
  uint32_t peer_tsval() const;

 private:
  // TcpEventHandler.
  void OnAcceptable(ListenerId listener) override;
  void OnSocketEvent(SocketId socket, uint8_t events) override;

  void Turn();
  void TakeSent();
  void LearnFromSent(ConstByteSpan frame);
  void CheckStep();
  void DrainReadable();
  SocketId Owned(size_t which);

  mutable ManualClock clock_;  // Now() is not const
  std::unique_ptr<TestChannel> channel_;
  std::unique_ptr<StackCore> stack_;
  ListenerId listener_;
  std::vector<SocketId> owned_;
  std::vector<Flow> flows_;
  std::vector<uint64_t> last_counters_;
  bool auto_read_ = true;
};

}  // namespace skiff::fuzz

#endif  // SKIFF_TESTS_FUZZ_STACK_HARNESS_H_
