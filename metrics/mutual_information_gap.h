// The mutual information gap (MIG; Chen, Li, Grosse and Duvenaud, 2018, "Isolating Sources of
// Disentanglement in VAEs"): does each factor of the data live in one latent dimension, and only
// one? For an encoder q(z | x) = N(mean(x), diag(exp(logvar(x)))) over data x_1 .. x_N whose
// factor values v_k(x_n) are known (dSprites' shape, scale, ...):
//
//   I(z_j; v_k) = H(z_j) - H(z_j | v_k)       for every latent dimension j and factor k
//   gap_k       = (I(z_(1); v_k) - I(z_(2); v_k)) / H(v_k)
//   MIG         = mean_k gap_k
//
// where z_(1) and z_(2) are the two dimensions that share the most information with v_k. The gap
// is near 1 when one dimension carries the factor and no other does, and near 0 when the factor
// is spread over several (or carried by none).
//
//   metrics::MutualInformationGap mig = metrics::mutual_information_gap(mean, logvar, factors,
//   gen); mig.mean;                     // MIG mig.mutual_information[k][j]; // I(z_j; v_k) in nats
//
// The estimator is the paper's: q(z_j) is the mixture of the N posteriors q(z_j | x_n) (the
// encoder's distribution, not its samples), q(z_j | v_k = v) the mixture over the points with
// that value, and each entropy the mean of -log q at draws z ~ q(z_j | x_n), `samples` per point.
// Its bias: each mixture includes the posterior a draw came from, so with posteriors narrower
// than the spacing of their means H(z_j) saturates near log N + the posterior entropy, and
// I(z_j; v_k) can reach at most H(v_k) (exactly, for a dimension that separates every value).
// For a dimension independent of the factor the estimate is biased upwards, because the
// conditional mixtures hold fewer points than the marginal one: a few hundredths of a nat for
// narrow posteriors (sd 0.1 against means spread over 1) at 1,200 points, less with more points
// or wider posteriors. The Monte Carlo error of each entropy is about its standard deviation /
// sqrt(N samples).
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

struct MutualInformationGap {
  std::vector<std::vector<double>> mutual_information;  // [factor][latent]: I(z_j; v_k), nats
  std::vector<double> latent_entropy;                   // [latent]: H(z_j), nats
  std::vector<double> factor_entropy;                   // [factor]: H(v_k) of the data, nats
  std::vector<double> gap;                              // [factor]: gap_k, 0 to 1
  std::vector<int64_t> top_latent;                      // [factor]: z_(1)
  double mean = 0;                                      // MIG
};

// mean, logvar: float [N, D]; factors: int64 [N, K] of value indices (any non-negative values;
// a factor with one value has no entropy and is left out of the mean, its gap 0). Float64
// throughout; errors name the bad shape or value. Costs O(samples N^2 D (1 + sum_k 1 / V_k)).
MutualInformationGap mutual_information_gap(const Tensor& mean, const Tensor& logvar,
                                            const Tensor& factors, Generator& gen,
                                            int64_t samples = 1);

}  // namespace minidl::metrics
