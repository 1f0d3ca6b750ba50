#include "examples/common/program.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>

#include "examples/common/parallel.h"
#include "tensor/tensor.h"

namespace minidl::examples {

namespace {

// One rule for every integer flag of every program: decimal digits with an optional minus sign,
// as --seed and the floating-point flags already read them. CLI11 alone also takes 0x10, 0o20
// and 0b10000 for integers, so `--batch-size 0x10` ran while `--seed 0x10` was refused.
CLI::Validator decimal_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const size_t digits = text.starts_with('-') ? 1 : 0;
        if (text.size() == digits ||
            text.find_first_not_of("0123456789", digits) != std::string::npos) {
          return "Value " + text + " is not a decimal integer";
        }
        return "";
      },
      "");
}

// Puts decimal_integer() in front of every integer option's own checks (so "0x10" is named as
// what it is, not as out of range), in the app and its subcommands.
void require_decimal_integers(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_size() == 0) continue;  // a flag without a value
    const std::string type = option->get_type_name();
    if (type.starts_with("INT") || type.starts_with("UINT")) option->transform(decimal_integer());
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    require_decimal_integers(*sub);
  }
}

}  // namespace

int parse_flags(CLI::App& app, int argc, char** argv) {
  require_decimal_integers(app);
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
    const std::string message = app.get_name() + ": " + e.what() + " (see --help)";
    // Under mpirun the other ranks would wait for this one forever in their first collective:
    // end the whole job, naming this rank.
    if (is_parallel()) end_job(message, 2);
    std::fprintf(stderr, "%s\n", message.c_str());
    return 2;
  }
  return -1;
}

int run_program(const std::string& program, const std::function<int()>& body) {
  std::string message;
  int code = 1;
  try {
    return body();
  } catch (const UsageError& e) {
    message = e.what();
    code = 2;
  } catch (const DivergedError& e) {
    message = e.what();
    code = 3;
  } catch (const Error& e) {
    message = e.what();
  } catch (const std::bad_alloc&) {
    message = "out of memory";
  } catch (const std::exception& e) {
    message = e.what();
  }
  // Under mpirun the other ranks may be waiting for this one in a collective: end them all.
  if (is_parallel()) end_job(program + ": " + message, code);
  std::fprintf(stderr, "%s: %s\n", program.c_str(), message.c_str());
  return code;
}

std::string parse_finite(const std::string& text, double& value) {
  const char* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range && rest == end) {
    // A number, but not one a double holds: 1e-400 is not "not finite", it is too small.
    const bool tiny = std::fabs(std::strtod(text.c_str(), nullptr)) < 1.0;
    return "Value " + text +
           (tiny ? " underflows: it is below the smallest double, 4.9e-324"
                 : " overflows: it is above the largest double, 1.8e308");
  }
  if (text.empty() || error != std::errc() || rest != end || !std::isfinite(value)) {
    return "Value " + text + " is not a finite number";
  }
  return "";
}

CLI::Validator finite_in(double low, double high, bool low_open) {
  std::ostringstream os;
  os << (low_open ? "(" : "[") << low << ", " << high << "]";
  const std::string range = os.str();
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double value = 0;
        if (std::string problem = parse_finite(text, value); !problem.empty()) return problem;
        if (value < low || value > high || (low_open && value == low)) {
          return "Value " + text + " not in range " + range;
        }
        return "";
      },
      "FLOAT in " + range);
}

namespace {

// A seed is any integer in [0, 2^64 - 1] written in decimal; CLI11 alone would wrap "-1" and
// clamp 2^64, so both would silently become 18446744073709551615.
CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [rest, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || error != std::errc() || rest != end) {
          return "Value " + text + " is not a seed: an integer in [0, 18446744073709551615]";
        }
        return "";
      },
      "UINT64");
}

}  // namespace

void add_run_flags(CLI::App& app, RunFlags& flags) {
  app.add_option("--seed", flags.seed, "Seed of every random draw")
      ->check(seed_value())
      ->capture_default_str();
  app.add_option("--threads", flags.threads, "Threads for OpenMP and OpenBLAS (0: all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app.add_option("--out", flags.out, "Output folder (docs/run-folder.md)")->capture_default_str();
  CLI::Option* resume = app.add_flag("--resume", flags.resume,
                                     "Continue the run in <out> from <out>/checkpoint.safetensors");
  app.add_flag("--overwrite", flags.overwrite,
               "Start a new run in <out> even though it holds one (its checkpoint and metrics "
               "are replaced)")
      ->excludes(resume);
}

CLI::Validator count_at_least(int64_t low, const std::string& why) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [rest, error] = std::from_chars(text.data(), end, value);
        if (error != std::errc() || rest != end) {
          return "Value " + text + " is not an integer in [" + std::to_string(low) +
                 ", 9223372036854775807]";
        }
        if (value < low) return "Value " + text + " is below " + std::to_string(low) + why;
        return "";
      },
      "INT >= " + std::to_string(low));
}

void add_limit_flag(CLI::App& app, int64_t& limit) {
  // Not CLI::NonNegativeNumber, whose message for -1 spells out a range up to DBL_MAX.
  app.add_option("--limit", limit, "Train on the first N training images only (0: all)")
      ->check(count_at_least(0, " (0 trains on all images)"))
      ->capture_default_str();
}

void setup_compute(int threads) {
  if (threads > 0) set_num_threads(threads);
  set_flush_denormal(true);  // false (nothing changed) on CPUs that cannot: then IEEE denormals
}

void check_finite_loss(const std::string& where, const std::string& term, double value) {
  if (std::isfinite(value)) return;
  throw DivergedError("training diverged at " + where + ": " + term + " is " +
                      (std::isnan(value) ? "nan"
                       : value > 0       ? "inf"
                                         : "-inf") +
                      "; stopped, nothing of this epoch is saved (try a lower --lr)");
}

}  // namespace minidl::examples
