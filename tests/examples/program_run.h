// Helpers for tests that run the example programs as a user would: the program's path in the
// build tree, a fresh folder per test (so ctest -j can run tests side by side), running a command
// line with stdout and stderr captured, and reading the metrics.csv the trainers write.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace minidl::testing {

struct ProgramRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline std::filesystem::path example_program(const std::string& name) {
  return std::filesystem::path(MINIDL_BINARY_DIR) / "examples" / name;
}

// A fresh, empty folder named after the running test.
inline std::filesystem::path fresh_test_dir(const std::string& group) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::path(MINIDL_BINARY_DIR) / "tests" / group /
                              (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs `program arguments` (arguments are passed to the shell as written) with the environment
// prefix `env` (e.g. "OMP_NUM_THREADS=1").
inline ProgramRun run_program(const std::filesystem::path& program, const std::string& arguments,
                              const std::string& env = "") {
  std::string command = env;
  command.append(env.empty() ? "" : " ").append("'").append(program.string()).append("' ");
  command.append(arguments).append(" 2>&1");
  ProgramRun result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, got);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A bad flag or value, and a piece of the one-line error it must give.
struct BadFlag {
  std::string arguments;
  std::string expected;
};

inline void PrintTo(const BadFlag& flag, std::ostream* os) { *os << flag.arguments; }

// What every trainer promises for a bad flag: exit code 2 and one line saying what is wrong, never
// a crash. --out points nowhere, so a flag that wrongly parsed cannot start a run.
inline void expect_bad_flag_error(const std::string& program, const BadFlag& flag) {
  ProgramRun r = run_program(example_program(program), flag.arguments + " --out /nonexistent/x");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(flag.expected), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;  // one line
  EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
}

// metrics.csv as columns of numbers.
inline std::map<std::string, std::vector<double>> read_metrics_csv(
    const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> columns;
  if (!std::getline(in, line)) return columns;
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    for (size_t i = 0; i < names.size() && std::getline(row, cell, ','); ++i) {
      columns[names[i]].push_back(std::stod(cell));
    }
  }
  return columns;
}

}  // namespace minidl::testing
