// read_file reads regular files only, within a limit applied while reading: /dev/zero would
// otherwise be read without end, and a FIFO would block the reader forever.
#include "data/read_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

TEST(ReadFile, ReadsARegularFileWhole) {
  TempDir dir;
  std::vector<uint8_t> bytes(200000);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 31 % 256);
  write_bytes(dir / "f", bytes);
  EXPECT_EQ(read_file(dir / "f", "test"), bytes);
  write_bytes(dir / "empty", {});
  EXPECT_TRUE(read_file(dir / "empty", "test").empty());
}

TEST(ReadFile, RefusesDevicesDirectoriesAndFifos) {
  EXPECT_EQ(error_message([] { read_file("/dev/zero", "read_image"); }),
            "read_image: /dev/zero: is a character device, not a regular file");
  TempDir dir;
  EXPECT_EQ(error_message([&] { read_file(dir.str(), "read_npy"); }),
            "read_npy: " + dir.str() + ": is a directory, not a regular file");
  // Opening a FIFO without a writer blocks a plain open() forever; here it must return at once.
  ASSERT_EQ(::mkfifo((dir / "pipe.png").c_str(), 0600), 0);
  EXPECT_EQ(error_message([&] { read_file(dir / "pipe.png", "read_image"); }),
            "read_image: " + (dir / "pipe.png") + ": is a FIFO, not a regular file");
}

TEST(ReadFile, AppliesTheSizeLimit) {
  TempDir dir;
  write_bytes(dir / "f", std::vector<uint8_t>(1001, 1));
  EXPECT_EQ(read_file(dir / "f", "test", 1001).size(), 1001u);
  EXPECT_EQ(error_message([&] { read_file(dir / "f", "test", 1000); }),
            "test: " + (dir / "f") + ": 1001 bytes is over the limit of 1000 bytes");
}
