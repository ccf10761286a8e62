// From argv to a Device: EAL start-up and one DPDK port, for appliances.
// The one public header about DPDK; its implementation keeps DPDK's own
// headers inside the library, so including it needs no DPDK include path.
//
//   int consumed = 0;
//   std::string error;
//   auto host = skiff::DpdkHost::Start(argc, argv, {}, &consumed, &error);
//   if (!host) return Fail(error);
//   skiff::Stack stack(host->device(), config);
#ifndef SKIFF_DPDK_H_
#define SKIFF_DPDK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "skiff/addr.h"
#include "skiff/time.h"

namespace skiff {

class Device;

/// What DpdkHost::Start opens.
struct DpdkOptions {
  uint16_t port_id = 0;   ///< the ethdev port (a --vdev or a PCI device)
  uint32_t mbufs = 8191;  ///< size of the port's mbuf pool
  /// How long Start waits for the link (it goes on with a down link).
  Duration link_wait = Duration::Seconds(5);
};

/// The EAL and one started port with a single queue pair, for the lifetime
/// of this object (one per process: EAL starts once).
class DpdkHost {
 public:
  /// Starts EAL with the arguments before the first "--" (adding
  /// --file-prefix and in-memory defaults when absent, as skiff's apps do),
  /// opens and starts `options.port_id`, waits for its link. On success
  /// *consumed is the index of the application's part of argv, and
  /// argv[*consumed] is set to argv[0] (as rte_eal_init does). Null with
  /// *error set on failure.
  static std::unique_ptr<DpdkHost> Start(int argc, char** argv,
                                         const DpdkOptions& options,
                                         int* consumed, std::string* error);
  /// Stops the port, frees its pool, then cleans EAL up: every Stack on
  /// device() must be gone first.
  ~DpdkHost();
  DpdkHost(const DpdkHost&) = delete;
  DpdkHost& operator=(const DpdkHost&) = delete;

  /// The port as a Device, to build a Stack on.
  Device& device();
  /// The port's MAC address.
  MacAddress mac() const;
  /// True when the link is up now.
  bool link_up() const;
  /// "port 0 (net_af_packet) 02:00:00:00:00:01 mtu 1500 link up ...".
  std::string Describe() const;

 private:
  struct Impl;
  explicit DpdkHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff

#endif  // SKIFF_DPDK_H_
