// What every example program shares around its main(): parsing flags with CLI11 so that a bad
// flag or value is one line on stderr and exit code 2, and running the body so that any
// minidl::Error (bad data file, shape mismatch, corrupt checkpoint) is one line
// "<program>: <message>" and exit code 1, never a crash or a stack of text.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace minidl::examples {

// Parses argv into `app`. Returns -1 when the program should go on, else the exit code to return
// (0 after --help, 2 after a bad flag, with the one-line error printed).
int parse_flags(CLI::App& app, int argc, char** argv);

// Runs `body`, turning exceptions into a one-line message and exit code 1.
int run_program(const std::string& program, const std::function<int()>& body);

// Sets the thread count for OpenMP and OpenBLAS together (0 = leave the default).
void apply_thread_flag(int threads);

}  // namespace minidl::examples
