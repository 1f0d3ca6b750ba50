#include "metrics/latent_information.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace minidl::metrics {

namespace {

constexpr double kLogTwoPi = 1.8378770664093453;  // log(2 pi)

// log N(z; mean, exp(logvar)) for one dimension.
double log_normal(double z, double mean, double logvar) {
  const double d = z - mean;
  return -0.5 * (kLogTwoPi + logvar + d * d * std::exp(-logvar));
}

// log sum_m exp(values[m]), stable for any range of values.
double log_sum_exp(const double* values, int64_t count, int64_t stride) {
  double top = -std::numeric_limits<double>::infinity();
  for (int64_t m = 0; m < count; ++m) top = std::max(top, values[m * stride]);
  if (!std::isfinite(top)) return top;
  double sum = 0.0;
  for (int64_t m = 0; m < count; ++m) sum += std::exp(values[m * stride] - top);
  return top + std::log(sum);
}

}  // namespace

KlDecomposition decompose_kl(const Tensor& mean_in, const Tensor& logvar_in, Generator& gen,
                             int64_t samples, double active_threshold) {
  MINIDL_CHECK(mean_in.defined() && logvar_in.defined() && mean_in.dim() == 2 &&
                   mean_in.shape() == logvar_in.shape(),
               "decompose_kl: mean and logvar must be [N, D] of one shape, got "
                   << (mean_in.defined() ? shape_str(mean_in.shape()) : "undefined") << " and "
                   << (logvar_in.defined() ? shape_str(logvar_in.shape()) : "undefined"));
  const int64_t N = mean_in.size(0), D = mean_in.size(1);
  MINIDL_CHECK(N >= 2 && D >= 1, "decompose_kl: needs at least 2 points and 1 dimension, got "
                                     << shape_str(mean_in.shape()));
  MINIDL_CHECK(samples >= 1, "decompose_kl: samples must be positive, got " << samples);
  const std::vector<double> mu = mean_in.to_vector<double>(), lv = logvar_in.to_vector<double>();
  for (size_t i = 0; i < mu.size(); ++i) {
    MINIDL_CHECK(std::isfinite(mu[i]) && std::isfinite(lv[i]),
                 "decompose_kl: mean " << mu[i] << " or logvar " << lv[i] << " at point "
                                       << int64_t(i) / D << ", dimension " << int64_t(i) % D
                                       << " is not finite");
  }

  KlDecomposition result;
  // Closed form: KL(N(mu, var) || N(0, 1)) = 1/2 (var + mu^2 - 1 - logvar), per dimension.
  for (size_t i = 0; i < mu.size(); ++i) {
    result.kl += 0.5 * (std::exp(lv[i]) + mu[i] * mu[i] - 1.0 - lv[i]);
  }
  result.kl /= double(N);
  result.mean_variance.assign(size_t(D), 0.0);
  for (int64_t d = 0; d < D; ++d) {
    double sum = 0.0, sum_sq = 0.0;
    for (int64_t n = 0; n < N; ++n) sum += mu[size_t(n * D + d)];
    const double average = sum / double(N);
    for (int64_t n = 0; n < N; ++n) {
      const double c = mu[size_t(n * D + d)] - average;
      sum_sq += c * c;
    }
    result.mean_variance[size_t(d)] = sum_sq / double(N);
    if (result.mean_variance[size_t(d)] > active_threshold) ++result.active_units;
  }

  // The draws, made up front on this thread so the result does not depend on the thread count.
  const int64_t S = N * samples;
  const std::vector<double> eps = randn({S, D}, DType::Float64, gen).to_vector<double>();
  // Per draw: log q(z|x_n), log q(z), sum_d log q(z_d), log p(z).
  const auto draws = static_cast<size_t>(S);
  std::vector<double> log_posterior(draws), log_aggregate(draws), log_marginals(draws),
      log_prior(draws);
  const double log_n = std::log(double(N));
#pragma omp parallel
  {
    std::vector<double> terms(static_cast<size_t>(N * D));  // log q(z_d | x_m), [m][d]
    std::vector<double> joint(static_cast<size_t>(N));      // log q(z | x_m)
    std::vector<double> z(static_cast<size_t>(D));
#pragma omp for schedule(static)
    for (int64_t s = 0; s < S; ++s) {
      const int64_t n = s / samples;
      double posterior = 0.0, prior = 0.0;
      for (int64_t d = 0; d < D; ++d) {
        const size_t i = size_t(n * D + d);
        z[size_t(d)] = mu[i] + std::exp(0.5 * lv[i]) * eps[size_t(s * D + d)];
        posterior += log_normal(z[size_t(d)], mu[i], lv[i]);
        prior += log_normal(z[size_t(d)], 0.0, 0.0);
      }
      for (int64_t m = 0; m < N; ++m) {
        double sum = 0.0;
        for (int64_t d = 0; d < D; ++d) {
          const size_t i = size_t(m * D + d);
          const double t = log_normal(z[size_t(d)], mu[i], lv[i]);
          terms[i] = t;
          sum += t;
        }
        joint[size_t(m)] = sum;
      }
      double marginals = 0.0;
      for (int64_t d = 0; d < D; ++d) marginals += log_sum_exp(terms.data() + d, N, D) - log_n;
      log_posterior[size_t(s)] = posterior;
      log_aggregate[size_t(s)] = log_sum_exp(joint.data(), N, 1) - log_n;
      log_marginals[size_t(s)] = marginals;
      log_prior[size_t(s)] = prior;
    }
  }
  double mi = 0.0, tc = 0.0, dw = 0.0, sum = 0.0, sum_sq = 0.0;
  for (int64_t s = 0; s < S; ++s) {
    const size_t i = size_t(s);
    mi += log_posterior[i] - log_aggregate[i];
    tc += log_aggregate[i] - log_marginals[i];
    dw += log_marginals[i] - log_prior[i];
    const double total = log_posterior[i] - log_prior[i];
    sum += total;
    sum_sq += total * total;
  }
  result.index_code_mi = mi / double(S);
  result.total_correlation = tc / double(S);
  result.dimension_wise_kl = dw / double(S);
  const double average = sum / double(S);
  const double variance = std::max(0.0, sum_sq / double(S) - average * average);
  result.standard_error = std::sqrt(variance / double(S));
  return result;
}

}  // namespace minidl::metrics
