#include "data/csv_logger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(CsvLogger, HeaderOnceAndFlushedRows) {
  TempDir dir;
  CsvLogger log(dir / "m.csv", {"step", "loss", "accuracy"});
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss,accuracy\n");
  log.log({1, 2.5, 0.1});
  // Flushed: visible to a reader while the logger is still open.
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss,accuracy\n1,2.5,0.1\n");
  log.log({2, 1e-8, NAN});
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss,accuracy\n1,2.5,0.1\n2,1e-08,nan\n");
}

TEST(CsvLogger, NumbersReadBackExactly) {
  EXPECT_EQ(format_csv_number(3), "3");
  EXPECT_EQ(format_csv_number(-0.25), "-0.25");
  EXPECT_EQ(format_csv_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(std::stod(format_csv_number(1.0 / 3.0)), 1.0 / 3.0);
  EXPECT_EQ(format_csv_number(INFINITY), "inf");
  EXPECT_EQ(format_csv_number(-INFINITY), "-inf");
  EXPECT_EQ(format_csv_number(60000), "60000");
}

TEST(CsvLogger, NewRunReplacesOldFile) {
  TempDir dir;
  { CsvLogger(dir / "m.csv", {"step", "loss"}).log({1, 1}); }
  { CsvLogger log(dir / "m.csv", {"step", "loss"}); }
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss\n");
}

TEST(CsvLogger, ResumeAppends) {
  TempDir dir;
  {
    CsvLogger log(dir / "m.csv", {"step", "loss"});
    log.log({1, 0.5});
  }
  {
    CsvLogger log(dir / "m.csv", {"step", "loss"}, {.resume = true});
    log.log({2, 0.25});
  }
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss\n1,0.5\n2,0.25\n");
  // Resuming with no file yet starts one.
  { CsvLogger(dir / "fresh.csv", {"step"}, {.resume = true}).log({1}); }
  EXPECT_EQ(read_text(dir / "fresh.csv"), "step\n1\n");
}

TEST(CsvLogger, ResumeDropsRowsAfterTheCheckpointAndPartialRows) {
  TempDir dir;
  write_bytes(dir / "m.csv", std::vector<uint8_t>{});
  {
    std::ofstream out(dir / "m.csv");
    out << "step,loss\n1,0.5\n2,0.4\n3,0.3\n4,0.";  // crashed while writing step 4
  }
  {
    CsvLogger log(dir / "m.csv", {"step", "loss"}, {.resume = true});
    log.log({4, 0.2});
  }
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss\n1,0.5\n2,0.4\n3,0.3\n4,0.2\n");
  {
    // The checkpoint was at step 2: steps 3 and 4 will be logged again.
    CsvLogger log(dir / "m.csv", {"step", "loss"}, {.resume = true, .resume_after = 2.0});
    log.log({3, 0.31});
  }
  EXPECT_EQ(read_text(dir / "m.csv"), "step,loss\n1,0.5\n2,0.4\n3,0.31\n");
}

TEST(CsvLogger, Errors) {
  TempDir dir;
  { CsvLogger(dir / "m.csv", {"step", "loss"}); }
  EXPECT_EQ(
      error_message([&] {
        CsvLogger(dir / "m.csv", {"step", "kl"}, {.resume = true});
      }),
      "CsvLogger: " + (dir / "m.csv") +
          ": cannot resume: the file's header is \"step,loss\" but this run logs \"step,kl\"");
  CsvLogger log(dir / "n.csv", {"a", "b"});
  EXPECT_EQ(error_message([&] { log.log({1}); }),
            "CsvLogger: " + (dir / "n.csv") + ": 1 values for 2 columns (a,b)");
  EXPECT_THAT(error_message([&] { CsvLogger(dir / "o.csv", {"a,b"}); }),
              HasSubstr("column name \"a,b\" is empty or has a comma"));
  EXPECT_THAT(error_message([&] { CsvLogger(dir / "no/dir/m.csv", {"a"}); }),
              HasSubstr("cannot open for writing: No such file or directory"));
}
