// The /skiff/* telemetry replies as plain data, in the shape DPDK 22.11
// telemetry can carry: one flat dict of numbers and strings, and tables as
// equal-length columns (22.11 cannot nest a dict in a dict or an array, so
// a table is {"state": [...], "local": [...], ...}, one entry per row in
// every column). drivers/dpdk/telemetry.cc copies a TelemetryReply into
// rte_tel_data one to one; everything else is here, testable without EAL.
#ifndef SKIFF_STACK_OBSERVE_TELEMETRY_FORMAT_H_
#define SKIFF_STACK_OBSERVE_TELEMETRY_FORMAT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stack/counters.h"
#include "stack/observe/snapshot.h"

namespace skiff {

struct TelemetryReply {
  struct Field {
    std::string name;
    std::variant<uint64_t, int32_t, std::string> value;
  };
  struct Column {
    std::string name;
    bool is_string = false;
    std::vector<uint64_t> numbers;     // !is_string
    std::vector<std::string> strings;  // is_string
  };
  std::vector<Field> fields;
  std::vector<Column> columns;

  void Add(std::string name, uint64_t v) { fields.push_back({name, v}); }
  void AddInt(std::string name, int32_t v) { fields.push_back({name, v}); }
  void AddString(std::string name, std::string v) {
    fields.push_back({std::move(name), std::move(v)});
  }
  // The field called `name`, for tests.
  const Field* Find(std::string_view name) const;
  const Column* FindColumn(std::string_view name) const;
};

// Which counters a counters reply carries.
enum class CounterSet { kCounters, kDrops };

// Sums `per_stack` (one StackCounters per lcore) counter by counter, and
// keeps the `set` part: every counter but drop_* for kCounters (zeros
// included, so that rates can be taken), drop_<reason> and drop_total for
// kDrops. `lcores` is how many stacks were summed.
TelemetryReply CountersReply(std::span<const StackCounters> per_stack,
                             CounterSet set);

// Tables from one stack's snapshot: "lcore", "total" (rows in the stack),
// "start", "next" (the start of the following page; absent on the last
// page), then the columns.
TelemetryReply ArpReply(const Snapshot& s, unsigned lcore);
TelemetryReply ListenersReply(const Snapshot& s, unsigned lcore);
TelemetryReply ConnectionsReply(const Snapshot& s, unsigned lcore);

// "10.0.0.1:80".
std::string FormatEndpoint(Ipv4Address addr, uint16_t port);

// The parameters of a table command, "[LCORE[,START]]": nullopt if they
// do not parse. Empty parts keep the defaults (first stack, row 0).
struct TableParams {
  std::optional<unsigned> lcore;
  uint32_t start = 0;
};
std::optional<TableParams> ParseTableParams(std::string_view params);

}  // namespace skiff

#endif  // SKIFF_STACK_OBSERVE_TELEMETRY_FORMAT_H_
