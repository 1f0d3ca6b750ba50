#include "examples/common/program.h"

#include <cstdio>
#include <exception>

#include "tensor/tensor.h"

namespace minidl::examples {

int parse_flags(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    // CLI11's own messages name the flag and the value ("--epochs: Value abc not in range ...").
    std::fprintf(stderr, "%s: %s (see --help)\n", app.get_name().c_str(), e.what());
    return 2;
  }
  return -1;
}

int run_program(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: out of memory\n", program.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
  }
  return 1;
}

void add_run_flags(CLI::App& app, RunFlags& flags) {
  app.add_option("--seed", flags.seed, "Seed of every random draw")->capture_default_str();
  app.add_option("--threads", flags.threads, "Threads for OpenMP and OpenBLAS (0: all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app.add_option("--out", flags.out, "Output folder")->capture_default_str();
  app.add_flag("--resume", flags.resume, "Continue from <out>/checkpoint.safetensors");
}

void add_limit_flag(CLI::App& app, int64_t& limit) {
  app.add_option("--limit", limit, "Train on the first N training images only (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

void setup_compute(int threads) {
  if (threads > 0) set_num_threads(threads);
  set_flush_denormal(true);  // false (nothing changed) on CPUs that cannot: then IEEE denormals
}

}  // namespace minidl::examples
