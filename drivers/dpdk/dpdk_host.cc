// DpdkHost (include/skiff/dpdk.h): Eal and DpdkPort behind a pimpl, so the
// public header names no DPDK or Abseil type.
#include <memory>
#include <string>
#include <utility>

#include "drivers/dpdk/dpdk_port.h"
#include "drivers/dpdk/eal.h"
#include "skiff/dpdk.h"

namespace skiff {

struct DpdkHost::Impl {
  std::unique_ptr<Eal> eal;
  std::unique_ptr<DpdkPort> port;  // destroyed before eal (declared after)
  ~Impl() { port.reset(); }
};

DpdkHost::DpdkHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DpdkHost::~DpdkHost() = default;

std::unique_ptr<DpdkHost> DpdkHost::Start(int argc, char** argv,
                                          const DpdkOptions& options,
                                          int* consumed, std::string* error) {
  auto impl = std::make_unique<Impl>();
  absl::StatusOr<std::unique_ptr<Eal>> eal = Eal::Init(argc, argv, consumed);
  if (!eal.ok()) {
    *error = eal.status().ToString();
    return nullptr;
  }
  impl->eal = std::move(*eal);
  DpdkPortConfig config;
  config.port_id = options.port_id;
  config.pool.size = options.mbufs;
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(config);
  if (!port.ok()) {
    *error = port.status().ToString();
    return nullptr;
  }
  impl->port = std::move(*port);
  impl->port->WaitForLink(options.link_wait);
  return std::unique_ptr<DpdkHost>(new DpdkHost(std::move(impl)));
}

Device& DpdkHost::device() { return *impl_->port; }
MacAddress DpdkHost::mac() const { return impl_->port->mac(); }
bool DpdkHost::link_up() const { return impl_->port->link_up(); }
std::string DpdkHost::Describe() const { return impl_->port->Describe(); }

}  // namespace skiff
