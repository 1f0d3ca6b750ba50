// Mutual information between two discrete variables, from their joint histogram (a 2-d tensor of
// counts or probabilities, e.g. joint_histogram(image_a, image_b) from histogram.h). X indexes
// the rows and Y the columns. All in float64, in nats or bits.
//
// These are plug-in estimates: the histogram's frequencies are used as the probabilities. With N
// samples of two independent variables that occupy Bx and By bins, the plug-in MI is not 0 but
// about (Bx - 1)(By - 1) / (2N) nats on average (the Miller-Madow bias; 2N I is asymptotically
// chi-squared with (Bx - 1)(By - 1) degrees of freedom). Keep N well above Bx By before reading
// small MI values as dependence.
#pragma once

#include "metrics/units.h"
#include "tensor/tensor.h"

namespace minidl::metrics {

// H(X, Y) = -sum_xy p(x, y) log p(x, y).
double joint_entropy(const Tensor& joint, Unit unit = Unit::Nats);

// H(X | Y) = H(X, Y) - H(Y): what is left to know about X once Y is known.
double conditional_entropy(const Tensor& joint, Unit unit = Unit::Nats);

// I(X; Y) = H(X) - H(X | Y) = sum_xy p(x, y) log(p(x, y) / (p(x) p(y))) >= 0. For a variable with
// itself (a diagonal joint histogram) it equals H(X).
double mutual_information(const Tensor& joint, Unit unit = Unit::Nats);

// How mutual information is scaled into [0, 1]; the names follow scikit-learn's
// normalized_mutual_info_score(average_method=...).
enum class MiNormalization {
  Arithmetic,  // I / ((H(X) + H(Y)) / 2) = 2 I / (H(X) + H(Y)), the "symmetric uncertainty"
  Geometric,   // I / sqrt(H(X) H(Y))
};

// Normalised mutual information, unitless: 1 when X and Y determine each other, 0 when independent.
// When X and Y are both constant (H(X) = H(Y) = 0) it is 1, as scikit-learn; when only one is, I is
// 0 and so is the result.
double normalized_mutual_information(const Tensor& joint,
                                     MiNormalization normalization = MiNormalization::Arithmetic);

// Everything above from one pass over the table, in the given unit (normalized is unitless).
struct MutualInformation {
  double entropy_x = 0.0;
  double entropy_y = 0.0;
  double joint_entropy = 0.0;
  double conditional_entropy = 0.0;  // H(X | Y)
  double mutual_information = 0.0;
  double normalized = 0.0;  // arithmetic normalisation
};
MutualInformation mutual_information_summary(const Tensor& joint, Unit unit = Unit::Nats);

}  // namespace minidl::metrics
