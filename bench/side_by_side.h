// Side-by-side reporting for the bench/ programs. Benchmarks are registered as
// "<implementation>/<case>" (e.g. "minidl/fwd_128x784x256" and "cblas/fwd_128x784x256") with one
// rate counter each; after the usual console output, a table gives for every case the median of
// that counter per implementation (over --benchmark_repetitions) and its ratio to a baseline.
// Run with --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true so the
// implementations of one case are measured alternately on a noisy, shared machine.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace minidl::bench {

class SideBySideReporter : public benchmark::ConsoleReporter {
 public:
  // `counter`: the counter to compare; `baselines`: implementations to divide by, in order.
  SideBySideReporter(std::string counter, std::vector<std::string> baselines)
      : counter_(std::move(counter)), baselines_(std::move(baselines)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto found = run.counters.find(counter_);
      if (found == run.counters.end()) continue;
      const std::string& name = run.run_name.function_name;
      const size_t slash = name.find('/');
      if (slash == std::string::npos) continue;
      const std::string implementation = name.substr(0, slash), case_name = name.substr(slash + 1);
      if (std::find(cases_.begin(), cases_.end(), case_name) == cases_.end()) {
        cases_.push_back(case_name);
      }
      if (std::find(implementations_.begin(), implementations_.end(), implementation) ==
          implementations_.end()) {
        implementations_.push_back(implementation);
      }
      samples_[case_name][implementation].push_back(found->second.value);
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nMedian %s per case (%s)\n", counter_.c_str(),
                "ratios: implementation / baseline");
    std::printf("%-26s", "case");
    for (const std::string& impl : implementations_) std::printf(" %12s", impl.c_str());
    for (const std::string& base : baselines_) std::printf("   ratio vs %-10s", base.c_str());
    std::printf("\n");
    for (const std::string& case_name : cases_) {
      std::map<std::string, std::vector<double>>& by_impl = samples_[case_name];
      std::printf("%-26s", case_name.c_str());
      for (const std::string& impl : implementations_) {
        if (by_impl.count(impl)) {
          std::printf(" %12.2f", median(by_impl[impl]));
        } else {
          std::printf(" %12s", "-");
        }
      }
      for (const std::string& base : baselines_) {
        if (!by_impl.count(base)) continue;
        const double reference = median(by_impl[base]);
        std::printf("  ");
        for (const std::string& impl : implementations_) {
          if (impl == base || !by_impl.count(impl)) continue;
          std::printf(" %s %.2f", impl.c_str(), median(by_impl[impl]) / reference);
        }
      }
      std::printf("\n");
    }
    std::fflush(stdout);
  }

 private:
  static double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  }

  std::string counter_;
  std::vector<std::string> baselines_;
  std::vector<std::string> cases_, implementations_;
  std::map<std::string, std::map<std::string, std::vector<double>>> samples_;
};

// Runs the registered benchmarks with the side-by-side table at the end.
inline int run_side_by_side(int argc, char** argv, const std::string& counter,
                            const std::vector<std::string>& baselines) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SideBySideReporter reporter(counter, baselines);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace minidl::bench
