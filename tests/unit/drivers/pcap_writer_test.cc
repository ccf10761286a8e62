// PcapWriter without DPDK: files written here are read back with the pcap
// reader the wire tests use.
#include "drivers/capture/pcap_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/wire/pcap_reader.h"

namespace skiff {
namespace {

using ::skiff::testing::PcapFile;
using ::skiff::testing::ReadPcapFile;
using ::testing::ElementsAreArray;

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/skiff_pcap_" + std::to_string(::getpid()) +
         "_" + name + ".pcap";
}

std::vector<std::byte> Frame(size_t len, uint8_t seed) {
  std::vector<std::byte> f(len);
  for (size_t i = 0; i < len; ++i) f[i] = std::byte(seed + i * 7);
  return f;
}

PcapFile ReadBack(const std::string& path) {
  absl::StatusOr<PcapFile> f = ReadPcapFile(path);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : PcapFile{};
}

std::unique_ptr<PcapWriter> MustOpen(const std::string& path,
                                     const PcapWriterConfig& config = {}) {
  absl::StatusOr<std::unique_ptr<PcapWriter>> w =
      PcapWriter::Open(path, config);
  EXPECT_TRUE(w.ok()) << w.status();
  return w.ok() ? std::move(*w) : nullptr;
}

TEST(PcapWriter, Open_NothingAppended_FileIsAnEmptyEthernetCapture) {
  const std::string path = TempPath("empty");
  auto w = MustOpen(path);
  ASSERT_NE(w, nullptr);
  // The header is on disk before Close: a crash still leaves a valid file.
  EXPECT_EQ(std::filesystem::file_size(path), PcapWriter::kFileHeaderLen);
  ASSERT_TRUE(w->Close().ok());
  const PcapFile f = ReadBack(path);
  EXPECT_EQ(f.link_type, skiff::testing::kPcapLinkTypeEthernet);
  EXPECT_EQ(f.snaplen, PcapWriter::kSnapLen);
  EXPECT_TRUE(f.records.empty());
}

TEST(PcapWriter, Append_ManyFrames_ReadBackWholeInOrderWithNanoTimestamps) {
  const std::string path = TempPath("many");
  PcapWriterConfig config;
  config.buffer_bytes = 0;  // the minimum: several flushes below
  auto w = MustOpen(path, config);
  ASSERT_NE(w, nullptr);
  const int kFrames = 400;  // 400 * 1530 bytes, past two buffer fills
  const int64_t t0 = 1'780'000'000'123'456'789;
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_TRUE(w->Append(t0 + i * 1001, Frame(1514, i)));
  }
  EXPECT_EQ(w->packets(), static_cast<uint64_t>(kFrames));
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(std::filesystem::file_size(path), w->file_bytes());
  const PcapFile f = ReadBack(path);
  ASSERT_EQ(f.records.size(), static_cast<size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    EXPECT_EQ(f.records[i].timestamp_ns, static_cast<uint64_t>(t0 + i * 1001));
    EXPECT_EQ(f.records[i].orig_len, 1514u);
    EXPECT_THAT(f.records[i].data, ElementsAreArray(Frame(1514, i)));
  }
}

TEST(PcapWriter, Append_ShorterThanOrigLen_KeepsTheWireLength) {
  const std::string path = TempPath("snapped");
  auto w = MustOpen(path);
  ASSERT_TRUE(w->Append(1, Frame(100, 1), 3000));
  ASSERT_TRUE(w->Close().ok());
  const PcapFile f = ReadBack(path);
  ASSERT_EQ(f.records.size(), 1u);
  EXPECT_EQ(f.records[0].orig_len, 3000u);
  EXPECT_EQ(f.records[0].data.size(), 100u);
}

TEST(PcapWriter, PacketBound_Reached_StopsAndCountsTheRest) {
  const std::string path = TempPath("count_bound");
  PcapWriterConfig config;
  config.max_packets = 3;
  auto w = MustOpen(path, config);
  for (int i = 0; i < 5; ++i) w->Append(i, Frame(60, i));
  EXPECT_TRUE(w->stopped());
  EXPECT_EQ(w->packets(), 3u);
  EXPECT_EQ(w->skipped(), 2u);
  ASSERT_TRUE(w->Close().ok());
  const PcapFile f = ReadBack(path);
  ASSERT_EQ(f.records.size(), 3u);
  EXPECT_THAT(f.records[2].data, ElementsAreArray(Frame(60, 2)));
}

TEST(PcapWriter, SizeBound_Reached_FileStaysWithinAndAPrefixOfTheTraffic) {
  const std::string path = TempPath("size_bound");
  PcapWriterConfig config;
  // Room for two 100-byte records and half a third.
  config.max_file_bytes = PcapWriter::kFileHeaderLen + 2 * 116 + 58;
  auto w = MustOpen(path, config);
  EXPECT_TRUE(w->Append(0, Frame(100, 0)));
  EXPECT_TRUE(w->Append(1, Frame(100, 1)));
  EXPECT_FALSE(w->Append(2, Frame(100, 2)));
  // A frame that would still fit is skipped too: no holes in the capture.
  EXPECT_FALSE(w->Append(3, Frame(20, 3)));
  EXPECT_EQ(w->skipped(), 2u);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_LE(std::filesystem::file_size(path), config.max_file_bytes);
  EXPECT_EQ(ReadBack(path).records.size(), 2u);
}

TEST(PcapWriter, RollbackTo_BeforeAFlush_TakesRecordsAndStopBack) {
  const std::string path = TempPath("rollback");
  PcapWriterConfig config;
  config.max_packets = 2;
  auto w = MustOpen(path, config);
  ASSERT_TRUE(w->Append(0, Frame(60, 0)));
  const PcapWriter::Mark m = w->mark();
  ASSERT_TRUE(w->Append(1, Frame(60, 1)));
  EXPECT_FALSE(w->Append(2, Frame(60, 2)));  // hits the bound
  ASSERT_TRUE(w->RollbackTo(m));
  EXPECT_FALSE(w->stopped());
  EXPECT_EQ(w->packets(), 1u);
  EXPECT_EQ(w->skipped(), 0u);
  ASSERT_TRUE(w->Append(3, Frame(60, 3)));
  ASSERT_TRUE(w->Close().ok());
  const PcapFile f = ReadBack(path);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_THAT(f.records[1].data, ElementsAreArray(Frame(60, 3)));
}

TEST(PcapWriter, RollbackTo_AfterAFlush_IsRefused) {
  const std::string path = TempPath("rollback_flushed");
  auto w = MustOpen(path);
  const PcapWriter::Mark m = w->mark();
  ASSERT_TRUE(w->Append(0, Frame(60, 0)));
  ASSERT_TRUE(w->Flush().ok());
  EXPECT_FALSE(w->RollbackTo(m));
  EXPECT_EQ(w->packets(), 1u);
}

TEST(PcapWriter, Reserve_RoomShort_FlushesNowSoLaterAppendsDoNot) {
  const std::string path = TempPath("reserve");
  PcapWriterConfig config;
  config.buffer_bytes = 0;
  auto w = MustOpen(path, config);
  while (w->buffer_capacity() - w->mark().buffered > 2000) {
    ASSERT_TRUE(w->Append(0, Frame(1000, 0)));
  }
  ASSERT_TRUE(w->Reserve(4 * 1016));
  const PcapWriter::Mark m = w->mark();
  EXPECT_EQ(m.buffered, 0u);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(w->Append(0, Frame(1000, 1)));
  EXPECT_TRUE(w->RollbackTo(m));
  EXPECT_FALSE(w->Reserve(w->buffer_capacity() + 1));
}

TEST(PcapWriter, Append_AfterClose_IsSkipped) {
  const std::string path = TempPath("closed");
  auto w = MustOpen(path);
  ASSERT_TRUE(w->Close().ok());
  EXPECT_FALSE(w->Append(0, Frame(60, 0)));
  EXPECT_EQ(w->skipped(), 1u);
  EXPECT_TRUE(ReadBack(path).records.empty());
}

TEST(PcapWriter, Open_UnwritablePath_IsAnError) {
  EXPECT_FALSE(PcapWriter::Open("/nonexistent-dir/x.pcap", {}).ok());
}

TEST(PcapWriter, Open_DiskFull_IsAnErrorNotASilentEmptyFile) {
  absl::StatusOr<std::unique_ptr<PcapWriter>> w =
      PcapWriter::Open("/dev/full", {});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("write /dev/full"), std::string::npos)
      << w.status();
}

}  // namespace
}  // namespace skiff
