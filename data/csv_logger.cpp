#include "data/csv_logger.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace minidl::data {

namespace {

std::string header_line(const std::vector<std::string>& columns) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line += ',';
    line += columns[i];
  }
  return line;
}

// Prepares an existing log for appending: drops a last row without its newline (a crash in the
// middle of a write) and, with resume_after, the rows logged after the checkpoint. The file is
// replaced atomically, and only when something changes, so old rows cannot be lost.
// Returns false when not even a complete header line remains.
bool trim_for_resume(const std::string& path, std::optional<double> resume_after) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::string kept;
  size_t start = 0;
  bool header = true;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = text.substr(start, end - start);
    bool keep = true;
    if (!header && resume_after) {
      const std::string first = line.substr(0, line.find(','));
      char* parsed_end = nullptr;
      const double value = std::strtod(first.c_str(), &parsed_end);
      keep = parsed_end != first.c_str() && *parsed_end == '\0' && value <= *resume_after;
    }
    if (keep) kept += line + "\n";
    header = false;
  }
  if (kept != text) write_file_atomically(path, kept);
  return !kept.empty();
}

}  // namespace

std::string format_csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  // Shortest round-trip representation; integral values up to 2^53 print without ".0".
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

CsvLogger::CsvLogger(std::string path, std::vector<std::string> columns, CsvLoggerOptions options)
    : path_(std::move(path)), columns_(std::move(columns)), file_(nullptr, &std::fclose) {
  MINIDL_CHECK(!columns_.empty(), "CsvLogger: " << path_ << ": no columns");
  for (const std::string& column : columns_) {
    MINIDL_CHECK(!column.empty() && column.find_first_of(",\"\n\r") == std::string::npos,
                 "CsvLogger: " << path_ << ": column name \"" << column
                               << "\" is empty or has a comma, quote or newline");
  }
  const std::string header = header_line(columns_);

  bool append = false;
  if (options.resume) {
    std::ifstream existing(path_);
    std::string first_line;
    if (existing && std::getline(existing, first_line)) {
      MINIDL_CHECK(first_line == header, "CsvLogger: " << path_ << ": cannot resume: the file's "
                                                       << "header is \"" << first_line
                                                       << "\" but this run logs \"" << header
                                                       << "\"");
      existing.close();
      append = trim_for_resume(path_, options.resume_after);
    }
  }
  file_.reset(std::fopen(path_.c_str(), append ? "ab" : "wb"));
  MINIDL_CHECK(file_ != nullptr,
               "CsvLogger: " << path_ << ": cannot open for writing: " << std::strerror(errno));
  if (!append) std::fprintf(file_.get(), "%s\n", header.c_str());
  MINIDL_CHECK(std::fflush(file_.get()) == 0,
               "CsvLogger: " << path_ << ": write failed: " << std::strerror(errno));
}

void CsvLogger::log(const std::vector<double>& values) {
  MINIDL_CHECK(values.size() == columns_.size(),
               "CsvLogger: " << path_ << ": " << values.size() << " values for " << columns_.size()
                             << " columns (" << header_line(columns_) << ")");
  std::string row;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) row += ',';
    row += format_csv_number(values[i]);
  }
  row += '\n';
  const bool ok = std::fwrite(row.data(), 1, row.size(), file_.get()) == row.size() &&
                  std::fflush(file_.get()) == 0;
  MINIDL_CHECK(ok, "CsvLogger: " << path_ << ": write failed: " << std::strerror(errno));
}

}  // namespace minidl::data
