// What every example program shares around its main(): parsing flags with CLI11 so that a bad
// flag or value is one line on stderr and exit code 2, and running the body so that any
// minidl::Error (bad data file, shape mismatch, corrupt checkpoint) is one line
// "<program>: <message>" and exit code 1, never a crash or a stack of text.
//
// Exit codes (docs/run-folder.md):
//   0  done
//   1  an error while running: unreadable data, a corrupt checkpoint, a full disk
//   2  the command line cannot be run as given: a bad flag value, a run folder that holds a run
//      (without --resume or --overwrite), or --resume with a setting the checkpoint disagrees with
//   3  training diverged: a loss became NaN or infinite (the last good checkpoint is kept)
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "tensor/error.h"

namespace minidl::examples {

// Thrown for exit code 2 once the run has started (after parsing).
class UsageError : public Error {
 public:
  using Error::Error;
};

// Thrown for exit code 3: training produced a NaN or an infinity.
class DivergedError : public Error {
 public:
  using Error::Error;
};

// Parses argv into `app`. Returns -1 when the program should go on, else the exit code to return
// (0 after --help, 2 after a bad flag, with the one-line error printed).
int parse_flags(CLI::App& app, int argc, char** argv);

// Runs `body`, turning exceptions into a one-line message and exit code 1 (2 for UsageError, 3
// for DivergedError).
int run_program(const std::string& program, const std::function<int()>& body);

// Reads `text` whole as a finite double into `value`; returns "" or what is wrong ("Value nan is
// not a finite number", "Value 1e-400 underflows: ..."), for every floating-point flag alike.
std::string parse_finite(const std::string& text, double& value);

// A check for a floating-point flag: a finite number in [low, high] ((low, high] when
// `low_open`). CLI11's own Range and PositiveNumber let NaN through (every comparison with NaN
// is false), and 1e308 is no learning rate.
CLI::Validator finite_in(double low, double high, bool low_open = false);

// The flags every trainer shares, with the same names, checks and help text in each program:
// --seed, --threads, --out (the program's default folder is passed in), --resume and --overwrite.
struct RunFlags {
  uint64_t seed = 1;
  int threads = 0;  // 0: leave minidl's default (all cores)
  std::string out;
  bool resume = false;
  bool overwrite = false;
};
void add_run_flags(CLI::App& app, RunFlags& flags);

// A check for an integer flag that counts something: at least `low`, with `why` (" (0: all)")
// after the message of a smaller value.
CLI::Validator count_at_least(int64_t low, const std::string& why = "");

// --limit N: train on the first N training images only (0: all).
void add_limit_flag(CLI::App& app, int64_t& limit);

// What every trainer does before its first op: sets the thread count for OpenMP and OpenBLAS
// together (0 = leave the default) and flushes denormals to zero in every thread. Training makes
// denormals and each costs the CPU ~100 cycles; flushing them made the VAE's epochs 1.45x faster
// (tensor/threading.h, docs/threads.md, "Denormals").
void setup_compute(int threads);

// Stops training when a loss term is NaN or infinite: throws DivergedError naming where (e.g.
// "epoch 3, step 17") and the term ("the KL term"), so the run ends before a bad state is saved.
void check_finite_loss(const std::string& where, const std::string& term, double value);

}  // namespace minidl::examples
