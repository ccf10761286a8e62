#include "drivers/dpdk/vdev.h"

#include <rte_dev.h>
#include <rte_errno.h>

#include <string>

#include "absl/strings/str_format.h"
#include "drivers/dpdk/dpdk_port.h"

namespace skiff {

absl::StatusOr<uint16_t> ProbeVdev(std::string_view devargs) {
  // "name,key=value,...": the bus wants the name and the arguments apart.
  const size_t comma = devargs.find(',');
  const std::string name(devargs.substr(0, comma));
  const std::string args(
      comma == std::string_view::npos ? "" : devargs.substr(comma + 1));
  if (int rc = rte_eal_hotplug_add("vdev", name.c_str(), args.c_str());
      rc != 0) {
    return absl::InternalError(absl::StrFormat(
        "probing vdev %s: %s", devargs, rte_strerror(rc < 0 ? -rc : rc)));
  }
  return DpdkPortByName(name);
}

absl::Status RemoveVdev(std::string_view name) {
  const std::string n(name);
  if (int rc = rte_eal_hotplug_remove("vdev", n.c_str()); rc != 0) {
    return absl::InternalError(absl::StrFormat(
        "removing vdev %s: %s", n, rte_strerror(rc < 0 ? -rc : rc)));
  }
  return absl::OkStatus();
}

}  // namespace skiff
