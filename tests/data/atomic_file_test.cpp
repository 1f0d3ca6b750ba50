// tensor/atomic_file.h is used by data/ (PNG, .npy, CSV) and by nn/ checkpoints; its tests live
// here with its first users. The failure tests make the write fail after the temporary file
// exists (during the write, or at the rename), with failures that also stop root, as CI runs.
#include "tensor/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "test_helpers.h"
#include "tests/nn/file_size_limit.h"

using namespace minidl;
using namespace minidl::data::testing;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

// The names in a directory, sorted.
std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

TEST(AtomicFile, WritesAndReplaces) {
  TempDir dir;
  write_file_atomically(dir / "f", "first");
  EXPECT_EQ(read_bytes(dir / "f"), (std::vector<uint8_t>{'f', 'i', 'r', 's', 't'}));
  write_file_atomically(dir / "f", std::string_view("a\0b", 3));
  EXPECT_EQ(read_bytes(dir / "f"), (std::vector<uint8_t>{'a', 0, 'b'}));
  write_file_atomically(dir / "f", "");
  EXPECT_TRUE(read_bytes(dir / "f").empty());
  // No temporary files are left behind.
  EXPECT_EQ(entries_of(dir.str()), std::vector<std::string>{"f"});
}

TEST(AtomicFile, AWriteThatFailsMidwayKeepsTheOldFileByteIdentical) {
  TempDir dir;
  const std::string path = dir / "checkpoint";
  const std::string old_contents = "the previous checkpoint\n";
  write_file_atomically(path, old_contents);
  // Writes stop at 1 KiB of the new 8 KiB, as on a disk that fills up mid-save: the temporary
  // file has been created and partly written when the failure comes.
  const std::string new_contents(8192, 'n');
  {
    minidl::test::FileSizeLimit limit(1024);
    ASSERT_TRUE(limit.active()) << "cannot lower RLIMIT_FSIZE";
    EXPECT_EQ(error_message([&] { write_file_atomically(path, new_contents); }),
              "write_file_atomically: " + path +
                  ": write failed after 1024 of 8192 bytes: " + std::strerror(EFBIG));
  }
  EXPECT_EQ(read_bytes(path), bytes_of(old_contents));
  EXPECT_EQ(entries_of(dir.str()), std::vector<std::string>{"checkpoint"});  // temporary removed
  // Without the limit the same write goes through.
  write_file_atomically(path, new_contents);
  EXPECT_EQ(read_bytes(path), bytes_of(new_contents));
  EXPECT_EQ(entries_of(dir.str()), std::vector<std::string>{"checkpoint"});
}

TEST(AtomicFile, ARenameThatFailsKeepsTheTargetAndRemovesTheWrittenTemporaryFile) {
  TempDir dir;
  // The target is a non-empty directory (say a run directory where a file was meant to go):
  // rename(2) refuses to put a file over a directory, for root too (EISDIR). By then the whole
  // temporary file has been written, flushed and closed.
  const std::string target = dir / "run";
  write_bytes(dir / "run/checkpoint", bytes_of("old"));
  const std::string message = error_message([&] { write_file_atomically(target, "new contents"); });
  // The message names the target, the temporary file (target.tmp.<pid>.<n>) and the reason.
  EXPECT_THAT(message, StartsWith("write_file_atomically: " + target + ": cannot rename " + target +
                                  ".tmp." + std::to_string(::getpid()) + "."));
  EXPECT_THAT(message, HasSubstr(" over it: " + std::string(std::strerror(EISDIR))));
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_EQ(entries_of(target), std::vector<std::string>{"checkpoint"});
  EXPECT_EQ(read_bytes(dir / "run/checkpoint"), bytes_of("old"));
  EXPECT_EQ(entries_of(dir.str()), std::vector<std::string>{"run"});  // temporary removed
}

TEST(AtomicFile, AMissingDirectoryFailsBeforeAnythingIsWritten) {
  TempDir dir;
  EXPECT_THAT(error_message([&] { write_file_atomically(dir / "no/such/dir/f", "x"); }),
              StartsWith("write_file_atomically: " + (dir / "no/such/dir/f") + ": cannot create " +
                         (dir / "no/such/dir/f") + ".tmp."));
  EXPECT_TRUE(entries_of(dir.str()).empty());
}
