// The VAE's KL term taken apart. For an encoder q(z | x) = N(mean(x), diag(exp(logvar(x)))), a
// prior p(z) = N(0, I) and data x_1 .. x_N, the KL term averaged over the data splits into three
// parts (Hoffman and Johnson, 2016; Chen et al., 2018, "beta-TCVAE"):
//
//   E_x KL(q(z|x) || p(z)) = I(x; z)                          index-code mutual information
//                          + KL(q(z) || prod_d q(z_d))        total correlation
//                          + sum_d KL(q(z_d) || p(z_d))       dimension-wise KL
//
// where q(z) = (1/N) sum_n q(z | x_n) is the aggregate posterior over the data. I(x; z) is what
// the code says about the data point; the total correlation how dependent the latent dimensions
// are; the dimension-wise KL how far each dimension's marginal is from the prior.
#pragma once

#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

struct KlDecomposition {
  double kl = 0.0;                 // E_x KL(q(z|x) || p(z)), in closed form
  double index_code_mi = 0.0;      // I(x; z), at most log N with this estimator
  double total_correlation = 0.0;  // KL(q(z) || prod_d q(z_d))
  double dimension_wise_kl = 0.0;  // sum_d KL(q(z_d) || p(z_d))
  // The three parts' sum is a Monte Carlo estimate of `kl`; this is its standard error.
  double standard_error = 0.0;
  // Dimensions whose posterior mean varies over the data: Var_x(mean_d(x)) > the threshold
  // (Burda et al., 2016, "active units").
  int64_t active_units = 0;
  std::vector<double> mean_variance;  // Var_x(mean_d(x)) per dimension
};

// Estimates the decomposition from the encoder's outputs over the whole data set: mean and logvar
// [N, D]. For each point, `samples` draws z ~ q(z | x_n) from `gen`; log q(z) and log q(z_d) are
// evaluated exactly against the mixture of all N posteriors (the full data set as the
// minibatch-weighted sampler's batch, so no weighting is needed), which costs O(samples N^2 D):
// a few seconds for a 10,000-image test set with 20 latent dimensions. Float64 throughout,
// nats. Errors name the bad shape or value.
KlDecomposition decompose_kl(const Tensor& mean, const Tensor& logvar, Generator& gen,
                             int64_t samples = 1, double active_threshold = 0.01);

}  // namespace minidl::metrics
