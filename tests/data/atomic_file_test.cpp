// tensor/atomic_file.h is used by data/ (PNG, .npy, CSV) and by nn/ checkpoints; its tests live
// here with its first users.
#include "tensor/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

TEST(AtomicFile, WritesAndReplaces) {
  TempDir dir;
  write_file_atomically(dir / "f", "first");
  EXPECT_EQ(read_bytes(dir / "f"), (std::vector<uint8_t>{'f', 'i', 'r', 's', 't'}));
  write_file_atomically(dir / "f", std::string_view("a\0b", 3));
  EXPECT_EQ(read_bytes(dir / "f"), (std::vector<uint8_t>{'a', 0, 'b'}));
  write_file_atomically(dir / "f", "");
  EXPECT_TRUE(read_bytes(dir / "f").empty());
  // No temporary files are left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator(dir.str())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, FailureKeepsTheOldFileAndNamesThePath) {
  TempDir dir;
  write_file_atomically(dir / "f", "old");
  // Renaming a file over a directory fails after the temporary file was written.
  std::filesystem::create_directories(dir / "d");
  EXPECT_THAT(error_message([&] { write_file_atomically(dir / "d", "new"); }),
              HasSubstr("write_file_atomically: " + (dir / "d") + ": cannot rename"));
  EXPECT_EQ(read_bytes(dir / "f"), (std::vector<uint8_t>{'o', 'l', 'd'}));
  int entries = 0;
  for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator(dir.str())) ++entries;
  EXPECT_EQ(entries, 2);  // f and d: the temporary file was removed
  EXPECT_THAT(error_message([&] { write_file_atomically(dir / "no/such/dir/f", "x"); }),
              HasSubstr("cannot create"));
}
