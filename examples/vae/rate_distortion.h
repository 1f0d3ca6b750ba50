// The VAE's rate-distortion sweep (`vae --betas 0.25,0.5,1,2,4`): one model per beta, each trained
// in its own sub-folder of --out with that run's usual outputs, then the test set's rate and
// distortion of each in rate_distortion.csv and rate_distortion.png.
//
// The negative ELBO is distortion + rate: distortion D = E_q[-log p(x|z)] (the reconstruction
// term) and rate R = E_x KL(q(z|x) || p(z)) (the KL term), both in nats per image. A beta-VAE
// minimises D + beta R, so each beta picks the point of the trade-off where the curve's slope is
// -beta: a small beta buys a better reconstruction with more nats of code, a large one a cheaper
// code with a worse reconstruction (Alemi et al., 2018, "Fixing a Broken ELBO"). The rate is an
// upper bound on the information the code carries about the data, I(x; z) (it adds the total
// correlation and the dimension-wise KL, metrics/latent_information.h), so each point also
// reports I(x; z) itself.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "examples/common/program.h"
#include "metrics/latent_information.h"

namespace minidl::examples {

// One trained model's point on the curve, all on the test set in nats per image.
struct RateDistortionPoint {
  double beta = 0;
  double rate = 0;                // the KL term
  double distortion = 0;          // the reconstruction term
  metrics::KlDecomposition kl{};  // the KL term of `analysed` test images taken apart
  int64_t analysed = 0;
};

// "0.25,0.5,1" as betas: at least one, each a finite number in (0, 1000] (--beta's range), no two
// with the same folder name. Throws Error saying which value is wrong.
std::vector<double> parse_betas(const std::string& text);

// The CLI11 check of --betas: parse_betas' error as the flag's one-line error.
CLI::Validator betas_list();

// The sub-folder of --out for a beta: "beta_0.25", "beta_4" (%g, 6 significant digits).
std::string beta_folder_name(double beta);

// Trains (or, with --eval-only, evaluates) the model of one beta in `folder`; an exception is
// that beta's failure.
using TrainOneBeta =
    std::function<RateDistortionPoint(double beta, const std::filesystem::path& folder)>;

// Runs every beta in turn. After each, rewrites <out>/rate_distortion.csv and
// <out>/rate_distortion.png with the points so far, in order of beta (when `write`: rank 0 only
// under mpirun). A failed beta is one line "<program>: beta B: <message>" on stderr and the next
// beta starts, so one failure leaves the others' folders and rows intact; at the end, the failures
// are thrown as one error (exit code 2 or 3 when they all were usage errors or divergences). Under
// mpirun a failure ends the job at once, as the other ranks would wait for it.
void run_rate_distortion_sweep(const std::string& program, const std::vector<double>& betas,
                               const std::filesystem::path& out, const TrainOneBeta& train,
                               bool write);

// rate_distortion.csv: beta, rate, distortion, test_nelbo, mutual_information (I(x; z)),
// total_correlation, dimension_wise_kl, active_units, latent, analysed (images), written
// atomically.
void write_rate_distortion_csv(const std::string& path, std::vector<RateDistortionPoint> points);

// Distortion against rate from that CSV, each point labelled with its beta and I(x; z).
bool plot_rate_distortion(const std::string& csv_path, const std::string& png_path);

}  // namespace minidl::examples
