// PortChooser: how an active open picks its local port (RFC 9293 §3.10.1,
// "OPEN Call": the local port is the implementation's choice). TcpLayer asks
// it when a TcpLayerConfig::port_chooser is set; without one it uses RFC
// 6056's Algorithm 3 over the ephemeral range.
//
// RssPortChooser is the one for a StackCore per lcore behind an RSS port: it
// offers only ports whose replies the port steers back to this lcore's
// queue (stack/base/rss_ports.h), so a SYN-ACK never reaches a core that
// does not know the connection and answers it with a RST.
#ifndef SKIFF_STACK_SOCKETS_PORT_CHOOSER_H_
#define SKIFF_STACK_SOCKETS_PORT_CHOOSER_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "stack/base/rss.h"
#include "stack/base/rss_ports.h"
#include "stack/wire/addr.h"

namespace skiff {

class PortChooser {
 public:
  virtual ~PortChooser() = default;
  // A local port for a connection local -> remote:remote_port for which
  // is_free(port) holds (no connection on that 4-tuple, no listener on the
  // port); 0 when there is none. `salt` differs from one connect to the
  // next (a keyed hash and a counter, RFC 6056 §3.3.3) so ports spread.
  virtual uint16_t Choose(Ipv4Address local, Ipv4Address remote,
                          uint16_t remote_port, uint32_t salt,
                          absl::FunctionRef<bool(uint16_t)> is_free) = 0;
};

class RssPortChooser final : public PortChooser {
 public:
  // Ports [first, last] whose replies `rss` steers to `queue`; `rss` must
  // outlive the chooser.
  RssPortChooser(const RssSteering& rss, uint16_t queue, uint16_t first = 49152,
                 uint16_t last = 65535)
      : sets_(rss, queue, first, last) {}

  uint16_t Choose(Ipv4Address local, Ipv4Address remote, uint16_t remote_port,
                  uint32_t salt,
                  absl::FunctionRef<bool(uint16_t)> is_free) override {
    return sets_.Pick(local.value(), remote.value(), remote_port, salt,
                      is_free);
  }

  const RssPortSets& sets() const { return sets_; }

 private:
  RssPortSets sets_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_PORT_CHOOSER_H_
