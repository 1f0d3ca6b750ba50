#include "examples/vae/rate_distortion.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <set>
#include <sstream>

#include "data/plot.h"
#include "examples/common/parallel.h"
#include "tensor/atomic_file.h"

namespace minidl::examples {

namespace fs = std::filesystem;

std::string beta_folder_name(double beta) {
  char name[64];
  std::snprintf(name, sizeof name, "beta_%g", beta);
  return name;
}

std::vector<double> parse_betas(const std::string& text) {
  MINIDL_CHECK(!text.empty(), "no beta given (a list such as 0.25,0.5,1,2,4)");
  std::vector<double> betas;
  std::set<std::string> folders;
  std::stringstream in(text);
  std::string item;
  // getline drops a trailing empty field ("1,2,"), which is as much a typo as "1,,2".
  MINIDL_CHECK(text.back() != ',', "Value " << text << " ends with a comma");
  while (std::getline(in, item, ',')) {
    MINIDL_CHECK(!item.empty(), "Value " << text << " has an empty item");
    double beta = 0;
    const std::string problem = parse_finite(item, beta);
    MINIDL_CHECK(problem.empty(), problem);
    MINIDL_CHECK(beta > 0 && beta <= 1000, "Value " << item << " not in range (0, 1000]");
    // Two betas that print alike would share a folder (and are the same run for any purpose).
    MINIDL_CHECK(folders.insert(beta_folder_name(beta)).second,
                 "Value " << item << " given twice (as " << beta_folder_name(beta) << ")");
    betas.push_back(beta);
  }
  return betas;
}

CLI::Validator betas_list() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          parse_betas(text);
          return "";
        } catch (const Error& e) {
          return e.what();
        }
      },
      "LIST of BETA in (0, 1000]");
}

void write_rate_distortion_csv(const std::string& path, std::vector<RateDistortionPoint> points) {
  std::sort(
      points.begin(), points.end(),
      [](const RateDistortionPoint& a, const RateDistortionPoint& b) { return a.beta < b.beta; });
  std::string text =
      "beta,rate,distortion,test_nelbo,mutual_information,total_correlation,dimension_wise_kl,"
      "active_units,latent,analysed\n";
  for (const RateDistortionPoint& p : points) {
    char row[512];
    std::snprintf(row, sizeof row, "%.17g,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%lld,%zu,%lld\n", p.beta,
                  p.rate, p.distortion, p.rate + p.distortion, p.kl.index_code_mi,
                  p.kl.total_correlation, p.kl.dimension_wise_kl, (long long)p.kl.active_units,
                  p.kl.mean_variance.size(), (long long)p.analysed);
    text += row;
  }
  write_file_atomically(path, text);
}

bool plot_rate_distortion(const std::string& csv_path, const std::string& png_path) {
  return data::plot_points(
      csv_path, png_path,
      {.x_column = "rate",
       .y_column = "distortion",
       .labels = {{"beta", "beta"}, {"mutual_information", "I(x;z)"}},
       .title = "VAE rate-distortion on the test set (nats/image): one model per beta",
       .x_label = "rate: KL term (nats/image), an upper bound on I(x;z)",
       .y_label = "distortion: reconstruction term (nats/image)"});
}

void run_rate_distortion_sweep(const std::string& program, const std::vector<double>& betas,
                               const fs::path& out, const TrainOneBeta& train, bool write) {
  if (write) fs::create_directories(out);
  std::vector<RateDistortionPoint> points;
  std::vector<std::string> failed;
  std::vector<std::exception_ptr> failures;
  for (double beta : betas) {
    const fs::path folder = out / beta_folder_name(beta);
    std::printf("%s: beta %g of the sweep, output in %s\n", program.c_str(), beta, folder.c_str());
    std::fflush(stdout);
    try {
      points.push_back(train(beta, folder));
    } catch (const std::exception& e) {
      if (is_parallel()) throw;
      std::fprintf(stderr, "%s: beta %g: %s\n", program.c_str(), beta, e.what());
      failed.push_back(beta_folder_name(beta));
      failures.push_back(std::current_exception());
      continue;
    }
    if (write) {
      const std::string csv = (out / "rate_distortion.csv").string();
      write_rate_distortion_csv(csv, points);
      plot_rate_distortion(csv, (out / "rate_distortion.png").string());
    }
  }
  if (write && !points.empty()) {
    std::printf("%s: rate-distortion of %zu betas in %s\n", program.c_str(), points.size(),
                (out / "rate_distortion.csv").c_str());
  }
  if (failures.empty()) return;
  std::string names;
  for (const std::string& name : failed) names += (names.empty() ? "" : ", ") + name;
  std::ostringstream message;
  message << failures.size() << " of " << betas.size() << " betas failed (" << names
          << ", said above)";
  if (!points.empty()) message << "; the others are in " << (out / "rate_distortion.csv").string();
  // One exit code for the sweep: that of the failures when they agree.
  int usage = 0, diverged = 0;
  for (const std::exception_ptr& failure : failures) {
    try {
      std::rethrow_exception(failure);
    } catch (const UsageError&) {
      ++usage;
    } catch (const DivergedError&) {
      ++diverged;
    } catch (...) {
    }
  }
  if (usage == int(failures.size())) throw UsageError(message.str());
  if (diverged == int(failures.size())) throw DivergedError(message.str());
  throw Error(message.str());
}

}  // namespace minidl::examples
