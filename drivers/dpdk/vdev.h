// Hot-plugging virtual devices after EAL start, as `--vdev` does at start:
// tests use it to bring up net_ring / net_null ports inside the process.
#ifndef SKIFF_DRIVERS_DPDK_VDEV_H_
#define SKIFF_DRIVERS_DPDK_VDEV_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skiff {

// Probes the vdev described by `devargs` ("net_ring0",
// "net_null0,size=64", "net_af_packet0,iface=veth0") and returns the port
// id of the ethdev it created.
absl::StatusOr<uint16_t> ProbeVdev(std::string_view devargs);

// Removes a vdev probed by ProbeVdev, by name ("net_ring0"). Close any
// DpdkPort on it first.
absl::Status RemoveVdev(std::string_view name);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DPDK_VDEV_H_
