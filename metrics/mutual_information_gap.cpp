#include "metrics/mutual_information_gap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace minidl::metrics {

namespace {

constexpr double kLogTwoPi = 1.8378770664093453;  // log(2 pi)

double log_normal(double z, double mean, double logvar) {
  const double d = z - mean;
  return -0.5 * (kLogTwoPi + logvar + d * d * std::exp(-logvar));
}

// -mean over the draws of log (1/|group|) sum_{m in group} q(z | x_m) for one latent dimension:
// the entropy of the mixture of the group's posteriors, estimated at the group's own draws.
// draws[s] belongs to point s / samples.
double mixture_entropy(const std::vector<int64_t>& group, const std::vector<double>& draws,
                       int64_t samples, const std::vector<double>& mu,
                       const std::vector<double>& lv, int64_t D, int64_t j) {
  const int64_t G = int64_t(group.size());
  const double log_g = std::log(double(G));
  double total = 0.0;
#pragma omp parallel for reduction(+ : total) schedule(static)
  for (int64_t s = 0; s < G * samples; ++s) {
    const double z = draws[size_t(group[size_t(s / samples)] * samples + s % samples)];
    double top = -std::numeric_limits<double>::infinity(), sum = 0.0;
    // One pass with a running maximum (log-sum-exp without storing the terms).
    for (int64_t m = 0; m < G; ++m) {
      const size_t i = size_t(group[size_t(m)] * D + j);
      const double t = log_normal(z, mu[i], lv[i]);
      if (t > top) {
        sum = sum * std::exp(top - t) + 1.0;
        top = t;
      } else {
        sum += std::exp(t - top);
      }
    }
    total += -(top + std::log(sum) - log_g);
  }
  return total / double(G * samples);
}

}  // namespace

MutualInformationGap mutual_information_gap(const Tensor& mean, const Tensor& logvar,
                                            const Tensor& factors, Generator& gen,
                                            int64_t samples) {
  MINIDL_CHECK(mean.defined() && logvar.defined() && factors.defined() && mean.dim() == 2 &&
                   mean.shape() == logvar.shape() && factors.dim() == 2 &&
                   factors.size(0) == mean.size(0) && factors.dtype() == DType::Int64,
               "mutual_information_gap: needs mean and logvar [N, D] of one shape and int64 "
               "factors [N, K], got "
                   << (mean.defined() ? shape_str(mean.shape()) : "undefined") << ", "
                   << (logvar.defined() ? shape_str(logvar.shape()) : "undefined") << " and "
                   << (factors.defined() ? shape_str(factors.shape()) : "undefined"));
  const int64_t N = mean.size(0), D = mean.size(1), K = factors.size(1);
  MINIDL_CHECK(N >= 2 && D >= 1 && K >= 1,
               "mutual_information_gap: needs 2 points, 1 latent dimension and 1 factor, got "
                   << N << " points, " << D << " dimensions, " << K << " factors");
  MINIDL_CHECK(samples >= 1, "mutual_information_gap: samples must be positive, got " << samples);
  const std::vector<double> mu = mean.to_vector<double>(), lv = logvar.to_vector<double>();
  for (size_t i = 0; i < mu.size(); ++i) {
    MINIDL_CHECK(std::isfinite(mu[i]) && std::isfinite(lv[i]),
                 "mutual_information_gap: mean " << mu[i] << " or logvar " << lv[i] << " at point "
                                                 << int64_t(i) / D << ", dimension "
                                                 << int64_t(i) % D << " is not finite");
  }
  const std::vector<int64_t> v = factors.contiguous().to_vector<int64_t>();
  // The points of each value of each factor.
  std::vector<std::map<int64_t, std::vector<int64_t>>> groups(static_cast<size_t>(K));
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t k = 0; k < K; ++k) {
      const int64_t value = v[size_t(n * K + k)];
      MINIDL_CHECK(value >= 0, "mutual_information_gap: factor " << k << " of point " << n << " is "
                                                                 << value
                                                                 << "; values must be >= 0");
      groups[size_t(k)][value].push_back(n);
    }
  }
  // The draws z ~ q(z | x_n), made up front so the result does not depend on the thread count.
  const std::vector<double> eps = randn({N * samples, D}, DType::Float64, gen).to_vector<double>();

  MutualInformationGap result;
  result.mutual_information.assign(size_t(K), std::vector<double>(size_t(D), 0.0));
  result.latent_entropy.assign(size_t(D), 0.0);
  std::vector<int64_t> everyone(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) everyone[size_t(n)] = n;
  for (int64_t j = 0; j < D; ++j) {
    std::vector<double> draws(static_cast<size_t>(N * samples));
    for (int64_t s = 0; s < N * samples; ++s) {
      const size_t i = size_t((s / samples) * D + j);
      draws[size_t(s)] = mu[i] + std::exp(0.5 * lv[i]) * eps[size_t(s * D + j)];
    }
    const double entropy = mixture_entropy(everyone, draws, samples, mu, lv, D, j);
    result.latent_entropy[size_t(j)] = entropy;
    for (int64_t k = 0; k < K; ++k) {
      double conditional = 0.0;
      for (const auto& [value, group] : groups[size_t(k)]) {
        conditional +=
            double(group.size()) / double(N) * mixture_entropy(group, draws, samples, mu, lv, D, j);
      }
      result.mutual_information[size_t(k)][size_t(j)] = entropy - conditional;
    }
  }
  int64_t counted = 0;
  for (int64_t k = 0; k < K; ++k) {
    double h = 0.0;
    for (const auto& [value, group] : groups[size_t(k)]) {
      const double p = double(group.size()) / double(N);
      h -= p * std::log(p);
    }
    result.factor_entropy.push_back(h);
    std::vector<double> info = result.mutual_information[size_t(k)];
    const int64_t top = int64_t(std::max_element(info.begin(), info.end()) - info.begin());
    result.top_latent.push_back(top);
    std::sort(info.rbegin(), info.rend());
    const double second = D > 1 ? info[1] : 0.0;
    const double gap = h > 0 ? (info[0] - second) / h : 0.0;
    result.gap.push_back(gap);
    if (h > 0) {
      result.mean += gap;
      ++counted;
    }
  }
  if (counted > 0) result.mean /= double(counted);
  return result;
}

}  // namespace minidl::metrics
