#include "drivers/dpdk/telemetry.h"

#include <rte_lcore.h>
#include <rte_telemetry.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "stack/observe/telemetry_format.h"

namespace skiff {
namespace {

struct Entry {
  unsigned lcore;
  SnapshotMailbox* mailbox;
};

// rte_telemetry_register_cmd (22.11) passes no user pointer to a callback,
// so the stacks it reads are found here: the one process-wide table, taken
// only by telemetry threads and by (un)registration, never by an lcore. A
// command holds the lock while it asks, so that a mailbox cannot go away
// under it (unregistering waits at most kTelemetryWait per stack).
struct Registry {
  std::mutex mu;
  std::vector<Entry> stacks;  // in lcore order
  bool commands_registered = false;
};
Registry& TheRegistry() {
  static Registry* r = new Registry();  // never destroyed: threads may run
  return *r;
}

// The registered stacks, for as long as the returned lock is held.
struct LockedStacks {
  std::unique_lock<std::mutex> lock;
  const std::vector<Entry>& stacks;
};
LockedStacks Stacks() {
  Registry& r = TheRegistry();
  return {std::unique_lock<std::mutex>(r.mu), r.stacks};
}

// Waits for the lcore's answer at most kTelemetryWait, napping between looks
// (this is the telemetry thread; the lcore is not slowed).
bool Ask(const Entry& e, const SnapshotRequest& req, Snapshot* out) {
  const auto deadline = std::chrono::steady_clock::now() + kTelemetryWait;
  auto keep_waiting = [&] {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return std::chrono::steady_clock::now() < deadline;
  };
  return e.mailbox->Ask(req, out, keep_waiting) ==
         SnapshotMailbox::AskResult::kOk;
}

int Error(rte_tel_data* d, const std::string& message) {
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_string(d, "error", message.c_str());
  return 0;
}

int Busy(rte_tel_data* d, unsigned lcore) {
  return Error(
      d, absl::StrFormat("lcore %u busy: no answer within %d ms (the stack "
                         "polls its mailbox once per loop turn)",
                         lcore, static_cast<int>(kTelemetryWait.count())));
}

void Copy(const TelemetryReply& r, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  for (const TelemetryReply::Field& f : r.fields) {
    if (const uint64_t* u = std::get_if<uint64_t>(&f.value)) {
      rte_tel_data_add_dict_u64(d, f.name.c_str(), *u);
    } else if (const int32_t* i = std::get_if<int32_t>(&f.value)) {
      rte_tel_data_add_dict_int(d, f.name.c_str(), *i);
    } else {
      rte_tel_data_add_dict_string(d, f.name.c_str(),
                                   std::get<std::string>(f.value).c_str());
    }
  }
  for (const TelemetryReply::Column& c : r.columns) {
    rte_tel_data* a = rte_tel_data_alloc();
    if (a == nullptr) continue;
    if (c.is_string) {
      rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
      for (const std::string& s : c.strings) {
        rte_tel_data_add_array_string(a, s.c_str());
      }
    } else {
      rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
      for (uint64_t v : c.numbers) rte_tel_data_add_array_u64(a, v);
    }
    if (rte_tel_data_add_dict_container(d, c.name.c_str(), a, 0) != 0) {
      rte_tel_data_free(a);
    }
  }
}

int CmdStacks(const char*, const char*, rte_tel_data* d) {
  LockedStacks locked = Stacks();
  const std::vector<Entry>& stacks = locked.stacks;
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "count", stacks.size());
  rte_tel_data* a = rte_tel_data_alloc();
  if (a == nullptr) return 0;
  rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
  for (const Entry& e : stacks) rte_tel_data_add_array_u64(a, e.lcore);
  rte_tel_data_add_dict_container(d, "lcores", a, 0);
  return 0;
}

// /skiff/counters and /skiff/drops: one lcore, or all of them summed.
int Counters(const char* params, rte_tel_data* d, CounterSet set) {
  std::optional<TableParams> p = ParseTableParams(params ? params : "");
  if (!p || p->start != 0) return Error(d, "parameters: [LCORE]");
  std::vector<StackCounters> per_stack;
  Snapshot snap;
  LockedStacks locked = Stacks();
  for (const Entry& e : locked.stacks) {
    if (p->lcore && *p->lcore != e.lcore) continue;
    if (!Ask(e, {.kind = SnapshotKind::kCounters}, &snap)) {
      return Busy(d, e.lcore);
    }
    per_stack.push_back(snap.counters);
  }
  if (p->lcore && per_stack.empty()) {
    return Error(d, absl::StrFormat("no stack on lcore %u", *p->lcore));
  }
  Copy(CountersReply(per_stack, set), d);
  return 0;
}

int CmdCounters(const char*, const char* params, rte_tel_data* d) {
  return Counters(params, d, CounterSet::kCounters);
}
int CmdDrops(const char*, const char* params, rte_tel_data* d) {
  return Counters(params, d, CounterSet::kDrops);
}

// The table commands: one page of one lcore's table (the first stack's
// when no lcore is given).
int Table(const char* params, rte_tel_data* d, SnapshotKind kind) {
  std::optional<TableParams> p = ParseTableParams(params ? params : "");
  if (!p) return Error(d, "parameters: [LCORE[,START]]");
  LockedStacks locked = Stacks();
  const std::vector<Entry>& stacks = locked.stacks;
  auto it = std::find_if(stacks.begin(), stacks.end(), [&](const Entry& e) {
    return !p->lcore || *p->lcore == e.lcore;
  });
  if (it == stacks.end()) return Error(d, "no such stack");
  Snapshot snap;
  const SnapshotRequest req{
      .kind = kind, .start = p->start, .max_rows = it->mailbox->max_rows()};
  if (!Ask(*it, req, &snap)) return Busy(d, it->lcore);
  switch (kind) {
    case SnapshotKind::kArp:
      Copy(ArpReply(snap, it->lcore), d);
      break;
    case SnapshotKind::kListeners:
      Copy(ListenersReply(snap, it->lcore), d);
      break;
    case SnapshotKind::kConnections:
      Copy(ConnectionsReply(snap, it->lcore), d);
      break;
    case SnapshotKind::kCounters:
      break;
  }
  return 0;
}

int CmdArp(const char*, const char* params, rte_tel_data* d) {
  return Table(params, d, SnapshotKind::kArp);
}
int CmdListeners(const char*, const char* params, rte_tel_data* d) {
  return Table(params, d, SnapshotKind::kListeners);
}
int CmdConnections(const char*, const char* params, rte_tel_data* d) {
  return Table(params, d, SnapshotKind::kConnections);
}

void RegisterCommands() {
  rte_telemetry_register_cmd("/skiff/stacks", CmdStacks,
                             "Lcores running a skiff stack. No parameters");
  rte_telemetry_register_cmd(
      "/skiff/counters", CmdCounters,
      "skiff stack counters, summed over lcores. Parameters: [lcore]");
  rte_telemetry_register_cmd(
      "/skiff/drops", CmdDrops,
      "skiff drops by reason, summed over lcores. Parameters: [lcore]");
  rte_telemetry_register_cmd(
      "/skiff/arp", CmdArp, "skiff ARP table. Parameters: [lcore[,start row]]");
  rte_telemetry_register_cmd(
      "/skiff/listeners", CmdListeners,
      "skiff listeners and queue depths. Parameters: [lcore[,start row]]");
  rte_telemetry_register_cmd(
      "/skiff/connections", CmdConnections,
      "skiff TCP connections (ss -tin). Parameters: [lcore[,start row]]");
}

}  // namespace

unsigned CurrentLcore() { return rte_lcore_id(); }

std::unique_ptr<TelemetryRegistration> TelemetryRegistration::Register(
    unsigned lcore, SnapshotMailbox* mailbox) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!r.commands_registered) {
    RegisterCommands();
    r.commands_registered = true;
  }
  r.stacks.push_back({lcore, mailbox});
  std::sort(r.stacks.begin(), r.stacks.end(),
            [](const Entry& a, const Entry& b) { return a.lcore < b.lcore; });
  return std::unique_ptr<TelemetryRegistration>(
      new TelemetryRegistration(mailbox));
}

TelemetryRegistration::~TelemetryRegistration() {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::erase_if(r.stacks,
                [this](const Entry& e) { return e.mailbox == mailbox_; });
}

}  // namespace skiff
