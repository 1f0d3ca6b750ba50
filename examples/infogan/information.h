// InfoGAN's latent codes and its information term (Chen et al., 2016). The generator's input is
// noise z plus a code c: a categorical code (one-hot over `categories` values, uniform) and
// `continuous` codes ~ U(-1, 1). A head Q on the discriminator estimates c from G(z, c), and
//
//   L_I = H(c) - E[-log Q(c | G(z, c))]  <=  I(c; G(z, c))
//
// is a variational lower bound on the mutual information between the code and the image
// (Barber and Agakov, 2003). G and Q maximise it, so G must make images from which the code can be
// read back. H(c) is a constant (log categories for the categorical code, log 2 nats per U(-1, 1)
// code), so the loss G and Q minimise is the negative log-likelihood part: the cross-entropy of
// Q's logits for the categorical code, plus `continuous_weight` times the Gaussian negative
// log-likelihood of the continuous codes under Q's means and variances (weights 1 and 0.1 in the
// paper).
#pragma once

#include "autograd/autograd.h"
#include "tensor/random.h"

namespace minidl::examples {

struct InfoCodes {
  int64_t categories = 10;
  int64_t continuous = 2;
  double continuous_weight = 0.1;
  // Q's output width: the categorical logits, then a mean and a log-variance per continuous code.
  int64_t q_outputs() const { return categories + 2 * continuous; }
};

// One batch of codes.
struct CodeSample {
  Tensor categorical;  // int64 [N], each value uniform over the categories
  Tensor continuous;   // float32 [N, continuous], uniform on [-1, 1]
};

// Draws n codes from `gen`.
CodeSample sample_codes(int64_t n, const InfoCodes& codes, Generator& gen);

// G's input: [noise, one_hot(categorical), continuous] along axis 1, in the noise's dtype.
Tensor generator_input(const Tensor& noise, const CodeSample& sample, const InfoCodes& codes);

struct InformationTerms {
  Variable loss;                   // cross-entropy + continuous_weight * Gaussian NLL (a scalar)
  double categorical_bound = 0.0;  // log categories - cross-entropy, nats; at most log categories
  double continuous_bound = 0.0;   // continuous * log 2 - Gaussian NLL (summed over codes), nats
};

// The information term from Q's output [N, codes.q_outputs()] for the codes G was given. The
// bounds are batch means; the loss is differentiable in Q's output (and through it in G and Q).
InformationTerms information_terms(const Variable& q_output, const CodeSample& sample,
                                   const InfoCodes& codes);

}  // namespace minidl::examples
