#include "examples/common/run_settings.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "examples/common/program.h"

namespace minidl::examples {

std::string format_setting(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  // The shortest text that reads back as the same double (0.001, not 0.0010000000000000000208).
  for (int digits = 1; digits <= 17; ++digits) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", digits, value);
    if (std::strtod(shorter, nullptr) == value) return shorter;
  }
  return text;
}

void print_resume_line(const std::string& program, const std::string& what, const std::string& path,
                       const std::string& position, const std::vector<std::string>& changes) {
  std::string line = program + ": " + what + " " + path + " after " + position;
  for (size_t i = 0; i < changes.size(); ++i) line += (i == 0 ? "; changed: " : ", ") + changes[i];
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);  // before anything on stderr, also when both go to one file
}

namespace {

std::string to_text(const int64_t* v) { return std::to_string(*v); }
std::string to_text(const uint64_t* v) { return std::to_string(*v); }
std::string to_text(const double* v) { return format_setting(*v); }
std::string to_text(const std::string* v) { return *v; }

template <typename T>
bool parse_number(const std::string& text, T& out) {
  const char* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, out);
  return !text.empty() && error == std::errc() && rest == end;
}

bool from_text(const std::string& text, int64_t* v) { return parse_number(text, *v); }
bool from_text(const std::string& text, uint64_t* v) { return parse_number(text, *v); }
bool from_text(const std::string& text, double* v) {
  return parse_number(text, *v) && std::isfinite(*v);
}
bool from_text(const std::string& text, std::string* v) {
  *v = text;
  return true;
}

}  // namespace

void RunSettings::add(const std::string& flag, int64_t& value, OnResume policy) {
  settings_.push_back({flag, &value, policy});
}
void RunSettings::add(const std::string& flag, uint64_t& value, OnResume policy) {
  settings_.push_back({flag, &value, policy});
}
void RunSettings::add(const std::string& flag, double& value, OnResume policy) {
  settings_.push_back({flag, &value, policy});
}
void RunSettings::add(const std::string& flag, std::string& value, OnResume policy) {
  settings_.push_back({flag, &value, policy});
}

bool RunSettings::given(const std::string& flag) const {
  const CLI::Option* option = app_.get_option_no_throw(flag);
  return option != nullptr && option->count() > 0;
}

std::map<std::string, std::string> RunSettings::metadata() const {
  std::map<std::string, std::string> out;
  for (const Setting& s : settings_) {
    out[s.flag] = std::visit([](auto* v) { return to_text(v); }, s.value);
  }
  return out;
}

std::string RunSettings::saved_value(const std::string& flag) const {
  auto it = saved_.find(flag);
  return it == saved_.end() ? "" : it->second;
}

std::vector<std::string> RunSettings::resume_from(const std::map<std::string, std::string>& saved,
                                                  const std::string& path) {
  std::vector<std::string> changes;
  for (const Setting& s : settings_) {
    auto it = saved.find(s.flag);
    if (it == saved.end()) continue;
    saved_[s.flag] = it->second;
    std::visit(
        [&](auto* target) {
          using T = std::remove_pointer_t<decltype(target)>;
          // The saved value in the setting's own type: a corrupt one is an error, not a default.
          T saved_value{};
          MINIDL_CHECK(from_text(it->second, &saved_value), path << ": metadata " << s.flag
                                                                 << " = '" << it->second
                                                                 << "' is not a valid value");
          if (!given(s.flag)) {
            // Through the flag's own checks, as if typed: a forged checkpoint cannot set
            // --pack 0 or --lr 1e308 where the command line could not.
            if (CLI::Option* option = app_.get_option_no_throw(s.flag)) {
              try {
                option->clear();
                option->add_result(it->second);
                option->run_callback();
              } catch (const CLI::Error& e) {
                MINIDL_FAIL(path << ": metadata " << s.flag << " = '" << it->second
                                 << "' is not a valid " << s.flag << ": " << e.what());
              }
            }
            *target = saved_value;
            return;
          }
          const std::string saved_text = to_text(&saved_value), given_text = to_text(target);
          if (given_text == saved_text) return;
          if (s.policy == OnResume::MayChange) {
            changes.push_back(s.flag + " " + given_text + " (was " + saved_text + ")");
            return;
          }
          throw UsageError(s.flag + ": " + path + " was trained with " + s.flag + " " + saved_text +
                           ", given " + given_text +
                           "; resume with the same value (or leave the flag out), or start a "
                           "new run with --overwrite or another --out");
        },
        s.value);
  }
  return changes;
}

}  // namespace minidl::examples
