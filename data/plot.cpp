#include "data/plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

extern char** environ;

namespace minidl::data {

namespace {

void warn(const std::string& message) { std::cerr << "plot: " << message << "\n"; }

// The same warning once per process: a trainer plots after every evaluation, and a column that
// cannot be drawn at epoch 1 usually cannot at epoch 50 either.
void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> said;
  std::lock_guard<std::mutex> lock(mutex);
  if (said.insert(message).second) warn(message);
}

// What a column's values allow: gnuplot refuses to draw a panel with no finite value ("all
// points y value undefined!") and warns about a constant one ("empty y range").
struct ColumnRange {
  bool any = false;  // a finite value seen
  double low = 0, high = 0;
  void add(double v) {
    if (!std::isfinite(v)) return;
    low = any ? std::min(low, v) : v;
    high = any ? std::max(high, v) : v;
    any = true;
  }
};

// A range of positive length around a constant value, for gnuplot's set xrange / yrange.
std::string padded_range(double low, double high) {
  if (high > low) return "";
  const double pad = low == 0 ? 1.0 : std::abs(low) * 0.1;
  std::ostringstream os;
  os.precision(17);
  os << "[" << low - pad << ":" << high + pad << "]";
  return os.str();
}

// A gnuplot single-quoted string: no escapes inside, except '' for a quote.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// gnuplot's error report spans lines (the command, a caret, the message): squeeze it into one.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\r' || c == ' ' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  if (out.size() > 400) out = out.substr(0, 400) + "...";
  return out;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  return fields;
}

// A CSV's column names and the range of each column's finite values.
struct CsvSummary {
  bool has_rows = false;
  std::vector<std::string> columns;
  std::vector<ColumnRange> ranges;
  int number(const std::string& name) const {  // gnuplot counts from 1; 0: no such column
    auto it = std::find(columns.begin(), columns.end(), name);
    return it == columns.end() ? 0 : int(it - columns.begin()) + 1;
  }
};

// False (after a warning) when the CSV has no header line.
bool summarise_csv(const std::string& csv_path, CsvSummary& summary) {
  std::ifstream in(csv_path);
  std::string header, row;
  if (!std::getline(in, header)) {
    warn(csv_path + ": cannot read a header line; no plot");
    return false;
  }
  summary.columns = split_csv_line(header);
  summary.ranges.assign(summary.columns.size(), ColumnRange{});
  while (std::getline(in, row)) {
    summary.has_rows = true;
    const std::vector<std::string> fields = split_csv_line(row);
    for (size_t i = 0; i < fields.size() && i < summary.ranges.size(); ++i) {
      char* end = nullptr;
      const double value = std::strtod(fields[i].c_str(), &end);
      if (end != fields[i].c_str()) summary.ranges[i].add(value);
    }
  }
  return true;
}

// The gnuplot commands, separated by ';' (gnuplot -e takes one line; a ';' inside a quoted string
// is left alone), or an empty string (after a warning) when the CSV does not fit the options.
std::string build_script(const std::string& csv_path, const std::string& output,
                         const std::string& output_name, const PlotOptions& options) {
  CsvSummary csv;
  if (!summarise_csv(csv_path, csv)) return "";
  if (!csv.has_rows) return "";  // no data yet: nothing to draw, nothing to say
  const std::vector<std::string>& columns = csv.columns;
  const std::vector<ColumnRange>& ranges = csv.ranges;
  auto column_number = [&](const std::string& name) { return csv.number(name); };
  const std::string x = options.x_column.empty() ? columns.front() : options.x_column;
  const int x_number = column_number(x);
  std::vector<std::vector<std::string>> requested = options.panels;
  if (requested.empty()) {
    requested.emplace_back();
    for (const std::string& c : columns) {
      if (c != x) requested.back().push_back(c);
    }
  }
  if (x_number == 0) {
    warn(csv_path + ": no column \"" + x + "\"; no plot");
    return "";
  }
  // The columns that can be drawn; the others are left out, and said so once.
  std::vector<std::vector<std::string>> panels;
  for (const std::vector<std::string>& panel : requested) {
    std::vector<std::string> drawable;
    for (const std::string& name : panel) {
      const int number = column_number(name);
      if (number == 0) {
        warn(csv_path + ": no column \"" + name + "\"; no plot");
        return "";
      }
      if (ranges[size_t(number - 1)].any) {
        drawable.push_back(name);
      } else {
        warn_once(csv_path + ": column \"" + name + "\" has no finite value (NaN or infinite " +
                  "throughout); " + output_name + " leaves it out");
      }
    }
    if (!drawable.empty()) panels.push_back(drawable);
  }
  if (panels.empty()) return "";
  const ColumnRange& x_range = ranges[size_t(x_number - 1)];

  std::ostringstream script;
  script << "set datafile separator ','; "
         << "set terminal pngcairo size " << options.width << ","
         << options.panel_height * int(panels.size()) << " noenhanced; "
         << "set output " << quoted(output) << "; "
         << "set grid; set key outside right top; "
         << "set multiplot layout " << panels.size() << ",1 title " << quoted(options.title)
         << "; ";
  // One row so far, or a constant column: an explicit range instead of gnuplot's warning.
  if (x_range.any && x_range.high == x_range.low) {
    script << "set xrange " << padded_range(x_range.low, x_range.high) << "; ";
  }
  for (size_t p = 0; p < panels.size(); ++p) {
    if (p + 1 == panels.size()) script << "set xlabel " << quoted(x) << "; ";
    ColumnRange y_range;
    for (const std::string& name : panels[p]) {
      const ColumnRange& r = ranges[size_t(column_number(name) - 1)];
      y_range.add(r.low);
      y_range.add(r.high);
    }
    const std::string fixed = padded_range(y_range.low, y_range.high);
    script << (fixed.empty() ? "set autoscale y; " : "set yrange " + fixed + "; ");
    script << "plot ";
    for (size_t i = 0; i < panels[p].size(); ++i) {
      script << (i > 0 ? ", " : "") << quoted(csv_path) << " skip 1 using " << x_number << ":"
             << column_number(panels[p][i]) << " with linespoints pointsize 0.5 title "
             << quoted(panels[p][i]);
    }
    script << "; ";
  }
  script << "unset multiplot; set output";
  return script.str();
}

// The script of plot_points, or an empty string (after a warning when something is wrong).
std::string build_point_script(const std::string& csv_path, const std::string& output,
                               const PointPlotOptions& options) {
  CsvSummary csv;
  if (!summarise_csv(csv_path, csv)) return "";
  if (!csv.has_rows) return "";
  std::vector<std::string> needed = {options.x_column, options.y_column};
  for (const PointPlotOptions::Label& label : options.labels) needed.push_back(label.column);
  for (const std::string& name : needed) {
    if (csv.number(name) == 0) {
      warn(csv_path + ": no column \"" + name + "\"; no plot");
      return "";
    }
  }
  const int x = csv.number(options.x_column), y = csv.number(options.y_column);
  const ColumnRange &x_range = csv.ranges[size_t(x - 1)], &y_range = csv.ranges[size_t(y - 1)];
  for (const std::string& name : {options.x_column, options.y_column}) {
    if (!csv.ranges[size_t(csv.number(name) - 1)].any) {
      warn(csv_path + ": column \"" + name + "\" has no finite value; no plot");
      return "";
    }
  }
  // The label of a point: sprintf('beta %.3g, I(x;z) %.3g', column(1), column(5)).
  std::string format, arguments;
  for (const PointPlotOptions::Label& label : options.labels) {
    std::string caption = label.caption.empty() ? label.column : label.caption;
    std::string escaped;  // a '%' in a caption is text, not a conversion
    for (char c : caption) escaped += c == '%' ? std::string("%%") : std::string(1, c);
    format += (format.empty() ? "" : ", ") + escaped + " %.3g";
    arguments += ", column(" + std::to_string(csv.number(label.column)) + ")";
  }
  const std::string using_xy = " skip 1 using " + std::to_string(x) + ":" + std::to_string(y);
  std::ostringstream script;
  script << "set datafile separator ','; "
         << "set terminal pngcairo size " << options.width << "," << options.height
         << " noenhanced; "
         << "set output " << quoted(output) << "; "
         << "set grid; unset key; set title " << quoted(options.title) << "; "
         << "set xlabel " << quoted(options.x_label.empty() ? options.x_column : options.x_label)
         << "; set ylabel " << quoted(options.y_label.empty() ? options.y_column : options.y_label)
         << "; "
         // Room around the points so that the labels of the outermost ones stay inside.
         << "set offsets graph 0.08, graph 0.25, graph 0.08, graph 0.08; ";
  const std::string x_fixed = padded_range(x_range.low, x_range.high);
  const std::string y_fixed = padded_range(y_range.low, y_range.high);
  if (!x_fixed.empty()) script << "set xrange " << x_fixed << "; ";
  if (!y_fixed.empty()) script << "set yrange " << y_fixed << "; ";
  script << "plot " << quoted(csv_path) << using_xy
         << " with linespoints pointtype 7 pointsize 1.2 linewidth 2";
  if (!options.labels.empty()) {
    script << ", " << quoted(csv_path) << using_xy << ":(sprintf(" << quoted(format) << arguments
           << ")) with labels left offset 1,0.8 font ',10'";
  }
  script << "; set output";
  return script.str();
}

// Runs `gnuplot -e script` without a shell and returns its exit status, or -1 when the program
// could not be started (errno_out says why). gnuplot's stderr is collected into `errors`.
int run_gnuplot(const std::string& program, const std::string& script, std::string& errors,
                int& errno_out) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    errno_out = errno;
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>("-e"),
                             const_cast<char*>(script.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    errno_out = rc;
    return -1;
  }
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (errors.size() < 65536) errors.append(buffer, size_t(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status)
                           : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// Runs `script` (which writes `temporary`), then renames `temporary` to `png_path`.
bool render(const std::string& gnuplot, const std::string& script, const std::string& temporary,
            const std::string& png_path) {
  static std::atomic<bool> said_missing{false};
  std::string errors;
  int spawn_errno = 0;
  const int status = run_gnuplot(gnuplot, script, errors, spawn_errno);
  if (status == -1) {
    if (spawn_errno == ENOENT) {
      if (!said_missing.exchange(true)) {
        warn(gnuplot +
             " is not installed, so training curves are not drawn "
             "(apt-get install -y gnuplot-nox); training carries on");
      }
    } else {
      warn("cannot run " + gnuplot + ": " + std::strerror(spawn_errno));
    }
    return false;
  }
  if (status != 0 || std::rename(temporary.c_str(), png_path.c_str()) != 0) {
    std::remove(temporary.c_str());
    warn_once(png_path + ": " + gnuplot + " failed (status " + std::to_string(status) + ")" +
              (errors.empty() ? "" : ": " + one_line(errors)));
    return false;
  }
  return true;
}

// gnuplot -e takes one line: a path or text with a line break cannot be passed.
bool has_line_break(const std::vector<const std::string*>& texts) {
  for (const std::string* text : texts) {
    if (text->find_first_of("\n\r") != std::string::npos) {
      warn("a path or title contains a line break; no plot");
      return true;
    }
  }
  return false;
}

}  // namespace

bool plot_training_curves(const std::string& csv_path, const std::string& png_path,
                          const PlotOptions& options) {
  try {
    if (has_line_break({&csv_path, &png_path, &options.title})) return false;
    const std::string temporary = png_path + ".tmp.png";
    const std::string script = build_script(csv_path, temporary, png_path, options);
    return !script.empty() && render(options.gnuplot, script, temporary, png_path);
  } catch (const std::exception& error) {
    warn(png_path + ": " + error.what());
    return false;
  }
}

bool plot_points(const std::string& csv_path, const std::string& png_path,
                 const PointPlotOptions& options) {
  try {
    std::vector<const std::string*> texts = {&csv_path, &png_path, &options.title, &options.x_label,
                                             &options.y_label};
    for (const PointPlotOptions::Label& label : options.labels) texts.push_back(&label.caption);
    if (has_line_break(texts)) return false;
    const std::string temporary = png_path + ".tmp.png";
    const std::string script = build_point_script(csv_path, temporary, options);
    return !script.empty() && render(options.gnuplot, script, temporary, png_path);
  } catch (const std::exception& error) {
    warn(png_path + ": " + error.what());
    return false;
  }
}

}  // namespace minidl::data
