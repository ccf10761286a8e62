#include "tests/unit/wire/pcap_reader.h"

#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace skiff::testing {
namespace {

// https://wiki.wireshark.org/Development/LibpcapFileFormat: a 24-byte global
// header, then per record a 16-byte header and incl_len bytes of data, all
// in the writer's byte order (told by the magic).
constexpr size_t kGlobalHeaderLen = 24;
constexpr size_t kRecordHeaderLen = 16;
constexpr uint32_t kMagicMicros = 0xa1b2c3d4;
constexpr uint32_t kMagicNanos = 0xa1b23c4d;

uint32_t Swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

class Reader {
 public:
  Reader(ConstByteSpan image, bool swapped)
      : image_(image), swapped_(swapped) {}
  uint32_t U32(size_t off) const {
    // Stored as the writer's native word: read little-endian, then swap if
    // the writer was big-endian.
    const std::byte* p = image_.data() + off;
    uint32_t v = static_cast<uint32_t>(p[0]) |
                 (static_cast<uint32_t>(p[1]) << 8) |
                 (static_cast<uint32_t>(p[2]) << 16) |
                 (static_cast<uint32_t>(p[3]) << 24);
    return swapped_ ? Swap32(v) : v;
  }

 private:
  ConstByteSpan image_;
  bool swapped_;
};

}  // namespace

absl::StatusOr<PcapFile> ParsePcap(ConstByteSpan image) {
  if (image.size() < kGlobalHeaderLen) {
    return absl::InvalidArgumentError("pcap: shorter than the file header");
  }
  Reader le(image, false);
  uint32_t magic = le.U32(0);
  bool swapped = false;
  if (magic == Swap32(kMagicMicros) || magic == Swap32(kMagicNanos)) {
    swapped = true;
    magic = Swap32(magic);
  }
  if (magic != kMagicMicros && magic != kMagicNanos) {
    return absl::InvalidArgumentError(
        absl::StrFormat("pcap: bad magic 0x%08x (pcapng?)", le.U32(0)));
  }
  const bool nanos = magic == kMagicNanos;
  Reader r(image, swapped);
  PcapFile file;
  file.snaplen = r.U32(16);
  file.link_type = r.U32(20);
  size_t off = kGlobalHeaderLen;
  while (off < image.size()) {
    if (image.size() - off < kRecordHeaderLen) {
      return absl::InvalidArgumentError(
          absl::StrFormat("pcap: truncated record header at %d", off));
    }
    uint64_t sec = r.U32(off);
    uint64_t frac = r.U32(off + 4);
    uint32_t incl_len = r.U32(off + 8);
    uint32_t orig_len = r.U32(off + 12);
    off += kRecordHeaderLen;
    if (image.size() - off < incl_len) {
      return absl::InvalidArgumentError(
          absl::StrFormat("pcap: truncated record data at %d", off));
    }
    PcapRecord rec;
    rec.timestamp_ns = sec * 1'000'000'000 + (nanos ? frac : frac * 1000);
    rec.orig_len = orig_len;
    rec.data.assign(image.begin() + off, image.begin() + off + incl_len);
    file.records.push_back(std::move(rec));
    off += incl_len;
  }
  return file;
}

absl::StatusOr<PcapFile> ReadPcapFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("pcap: cannot open " + path);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
  return ParsePcap(AsBytes(raw.data(), raw.size()));
}

}  // namespace skiff::testing
