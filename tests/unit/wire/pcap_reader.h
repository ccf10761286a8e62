// A tiny reader for classic libpcap files (no libpcap): the tests replay
// frames captured from the Linux kernel. Both byte orders and both the
// microsecond and nanosecond magics are accepted; pcapng is not.
#ifndef SKIFF_TESTS_UNIT_WIRE_PCAP_READER_H_
#define SKIFF_TESTS_UNIT_WIRE_PCAP_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stack/wire/bytes.h"

namespace skiff::testing {

inline constexpr uint32_t kPcapLinkTypeEthernet = 1;

struct PcapRecord {
  uint64_t timestamp_ns = 0;
  uint32_t orig_len = 0;  // length on the wire; > data.size() if snapped
  std::vector<std::byte> data;

  ConstByteSpan bytes() const { return data; }
};

struct PcapFile {
  uint32_t link_type = 0;
  uint32_t snaplen = 0;
  std::vector<PcapRecord> records;
};

// Parses a whole pcap image held in memory.
absl::StatusOr<PcapFile> ParsePcap(ConstByteSpan image);
// Reads and parses the file at `path`.
absl::StatusOr<PcapFile> ReadPcapFile(const std::string& path);

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_WIRE_PCAP_READER_H_
