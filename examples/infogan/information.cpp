#include "examples/infogan/information.h"

#include <cmath>
#include <numbers>

#include "nn/losses.h"

namespace minidl::examples {

CodeSample sample_codes(int64_t n, const InfoCodes& codes, Generator& gen) {
  MINIDL_CHECK(
      n > 0 && codes.categories >= 2 && codes.continuous >= 0,
      "sample_codes: needs n > 0, at least 2 categories and no negative code count, got n = "
          << n << ", " << codes.categories << " categories, " << codes.continuous
          << " continuous codes");
  CodeSample sample;
  sample.categorical = randint(0, codes.categories, {n}, gen);
  sample.continuous = uniform({n, codes.continuous}, -1.0, 1.0, DType::Float32, gen);
  return sample;
}

Tensor generator_input(const Tensor& noise, const CodeSample& sample, const InfoCodes& codes) {
  MINIDL_CHECK(noise.dim() == 2 && noise.size(0) == sample.categorical.size(0),
               "generator_input: noise " << shape_str(noise.shape()) << " does not match "
                                         << sample.categorical.size(0) << " codes");
  // In z's dtype: float32 in the program, float64 in the trajectory tests.
  return concat({noise, one_hot(sample.categorical, codes.categories, noise.dtype()),
                 sample.continuous.to(noise.dtype())},
                1);
}

InformationTerms information_terms(const Variable& q_output, const CodeSample& sample,
                                   const InfoCodes& codes) {
  const int64_t n = sample.categorical.size(0);
  MINIDL_CHECK(
      q_output.dim() == 2 && q_output.size(0) == n && q_output.size(1) == codes.q_outputs(),
      "information_terms: Q's output "
          << shape_str(q_output.shape()) << " is not [" << n << ", " << codes.q_outputs() << "] ("
          << codes.categories << " logits, then a mean and "
          << "a log-variance for each of " << codes.continuous << " continuous codes)");
  const Variable logits = narrow(q_output, 1, 0, codes.categories);
  const Variable categorical_nll = nn::cross_entropy(logits, sample.categorical);
  InformationTerms terms;
  terms.loss = categorical_nll;
  terms.categorical_bound = std::log(double(codes.categories)) - categorical_nll.item();
  if (codes.continuous > 0) {
    const Variable mean = narrow(q_output, 1, codes.categories, codes.continuous);
    const Variable logvar =
        narrow(q_output, 1, codes.categories + codes.continuous, codes.continuous);
    const Variable target(sample.continuous.to(q_output.dtype()));
    // Summed over the codes, averaged over the batch: the NLL of one sample's code vector.
    const Variable continuous_nll =
        nn::gaussian_nll_loss(mean, target, exp(logvar), /*full=*/true, 1e-6, nn::Reduction::Sum) /
        double(n);
    terms.loss = terms.loss + continuous_nll * codes.continuous_weight;
    // The differential entropy of U(-1, 1) is log 2 nats per code.
    terms.continuous_bound = double(codes.continuous) * std::numbers::ln2 - continuous_nll.item();
  }
  return terms;
}

}  // namespace minidl::examples
