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
      // Registration order, whatever order the (interleaved) repetitions ran in.
      auto& order = case_order_[case_name];
      order = order == 0 ? run.family_index + 1 : std::min(order, run.family_index + 1);
      if (std::find(implementations_.begin(), implementations_.end(), implementation) ==
          implementations_.end()) {
        implementations_.push_back(implementation);
      }
      samples_[case_name][implementation].push_back(found->second.value);
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::vector<std::string> cases;
    for (const auto& [name, order] : case_order_) cases.push_back(name);
    std::sort(cases.begin(), cases.end(), [&](const std::string& a, const std::string& b) {
      return case_order_[a] < case_order_[b];
    });
    std::printf("\nMedian %s over the repetitions\n%-24s", counter_.c_str(), "case");
    for (const std::string& impl : implementations_) std::printf(" %13s", impl.c_str());
    std::printf("\n");
    for (const std::string& case_name : cases) {
      auto& by_impl = samples_[case_name];
      std::printf("%-24s", case_name.c_str());
      for (const std::string& impl : implementations_) {
        if (by_impl.count(impl)) {
          std::printf(" %13.2f", median(by_impl[impl]));
        } else {
          std::printf(" %13s", "-");
        }
      }
      std::printf("\n");
    }
    std::printf("\nRatios of the medians\n");
    for (const std::string& case_name : cases) {
      auto& by_impl = samples_[case_name];
      for (const std::string& base : baselines_) {
        if (!by_impl.count(base) || by_impl.size() < 2) continue;
        std::printf("%-24s", case_name.c_str());
        const double reference = median(by_impl[base]);
        for (const std::string& impl : implementations_) {
          if (impl == base || !by_impl.count(impl)) continue;
          std::printf("  %s/%s %.2f", impl.c_str(), base.c_str(),
                      median(by_impl[impl]) / reference);
        }
        std::printf("\n");
      }
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
  std::vector<std::string> implementations_;
  std::map<std::string, int64_t> case_order_;
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
