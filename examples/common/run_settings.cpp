#include "examples/common/run_settings.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "examples/common/parallel.h"
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
  settings_.push_back({flag, &value, [policy] { return policy; }});
}
void RunSettings::add(const std::string& flag, uint64_t& value, OnResume policy) {
  settings_.push_back({flag, &value, [policy] { return policy; }});
}
void RunSettings::add(const std::string& flag, double& value, OnResume policy) {
  settings_.push_back({flag, &value, [policy] { return policy; }});
}
void RunSettings::add(const std::string& flag, std::string& value, OnResume policy) {
  settings_.push_back({flag, &value, [policy] { return policy; }});
}
void RunSettings::add(const std::string& flag, std::string& value,
                      std::function<OnResume()> policy) {
  settings_.push_back({flag, &value, std::move(policy)});
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
          if (s.policy() == OnResume::MayChange) {
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

namespace {

// Flags and values as one string: each as "<length>:<text>", so no value (a path) can be taken
// for a separator.
std::string encode_settings(const std::map<std::string, std::string>& settings) {
  std::string out;
  for (const auto& [flag, value] : settings) {
    for (const std::string* text : {&flag, &value}) {
      out += std::to_string(text->size()) + ":" + *text;
    }
  }
  return out;
}

std::map<std::string, std::string> decode_settings(const std::string& encoded) {
  std::map<std::string, std::string> out;
  size_t p = 0;
  auto next = [&] {
    const size_t colon = encoded.find(':', p);
    MINIDL_CHECK(colon != std::string::npos, "settings from another rank are garbled");
    const size_t length = std::stoull(encoded.substr(p, colon - p));
    MINIDL_CHECK(colon + 1 + length <= encoded.size(), "settings from another rank are garbled");
    p = colon + 1 + length;
    return encoded.substr(colon + 1, length);
  };
  while (p < encoded.size()) {
    std::string flag = next();
    out[flag] = next();
  }
  return out;
}

}  // namespace

void check_same_settings_on_every_rank(const RunSettings& settings,
                                       const std::map<std::string, std::string>& extra) {
  if (!is_parallel()) return;
  std::map<std::string, std::string> mine = settings.metadata();
  mine.insert(extra.begin(), extra.end());
  const std::vector<std::string> all = gather_from_ranks(encode_settings(mine));
  const std::map<std::string, std::string> first = decode_settings(all[0]);
  for (int r = 1; r < ranks(); ++r) {
    const std::map<std::string, std::string> other = decode_settings(all[size_t(r)]);
    for (const auto& [flag, value] : first) {
      auto it = other.find(flag);
      const std::string theirs = it == other.end() ? "(none)" : it->second;
      if (theirs == value) continue;
      // Only the disagreeing rank speaks: its line names it (distributed::abort prefixes the
      // rank). The others wait in a barrier that rank never joins, until its MPI_Abort.
      if (rank() != r) {
        wait_for_ranks();
        MINIDL_FAIL("rank " << r << " disagrees on " << flag);
      }
      throw UsageError(flag + ": this rank was given " + flag + " " + theirs + ", rank 0 " + flag +
                       " " + value +
                       "; every rank of a job must run with the same settings (give them all the "
                       "same command line)");
    }
  }
}

}  // namespace minidl::examples
