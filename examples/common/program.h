// What every example program shares around its main(): parsing flags with CLI11 so that a bad
// flag or value is one line on stderr and exit code 2, and running the body so that any
// minidl::Error (bad data file, shape mismatch, corrupt checkpoint) is one line
// "<program>: <message>" and exit code 1, never a crash or a stack of text.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

namespace minidl::examples {

// Parses argv into `app`. Returns -1 when the program should go on, else the exit code to return
// (0 after --help, 2 after a bad flag, with the one-line error printed).
int parse_flags(CLI::App& app, int argc, char** argv);

// Runs `body`, turning exceptions into a one-line message and exit code 1.
int run_program(const std::string& program, const std::function<int()>& body);

// The flags every trainer shares, with the same names, checks and help text in each program:
// --seed, --threads, --out (the program's default folder is passed in) and --resume.
struct RunFlags {
  uint64_t seed = 1;
  int threads = 0;  // 0: leave minidl's default (all cores)
  std::string out;
  bool resume = false;
};
void add_run_flags(CLI::App& app, RunFlags& flags);

// --limit N: train on the first N training images only (0: all).
void add_limit_flag(CLI::App& app, int64_t& limit);

// What every trainer does before its first op: sets the thread count for OpenMP and OpenBLAS
// together (0 = leave the default) and flushes denormals to zero in every thread. Training makes
// denormals and each costs the CPU ~100 cycles; flushing them made the VAE's epochs 1.45x faster
// (tensor/threading.h, README "Denormals").
void setup_compute(int threads);

}  // namespace minidl::examples
