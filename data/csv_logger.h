// A CSV file of training metrics, one row per logged step: the header is written once, each
// row is flushed as it is written (a crash loses nothing already logged, and `tail -f` or a plot
// sees it at once), and a resumed run appends to the same file.
//
// Resuming: the existing header must match the columns (else an error: mixing two different
// runs' columns in one file would make it unreadable). Rows logged after the checkpoint being
// resumed from can be dropped, so the file has no duplicated steps: pass the checkpoint's step
// as resume_after and rows whose first column is larger are removed.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace minidl::data {

struct CsvLoggerOptions {
  bool resume = false;  // append to an existing file instead of starting it afresh
  // With resume: drop existing rows whose first column is greater than this value.
  std::optional<double> resume_after{};
};

class CsvLogger {
 public:
  CsvLogger(std::string path, std::vector<std::string> columns, CsvLoggerOptions options = {});

  // Writes one row; values.size() must equal the number of columns. Integers are written
  // without a decimal point, other values with enough digits to read back exactly.
  void log(const std::vector<double>& values);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
};

// The shortest text that reads back as exactly `value` ("3", "0.1", "1e-08", "nan", "inf").
std::string format_csv_number(double value);

}  // namespace minidl::data
