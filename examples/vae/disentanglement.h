// How the VAE's code lines up with the known factors of a generated data set (dsprites,
// color-shapes): the mutual information gap of the encoder over test images, and two pictures.
//   mutual_information.csv   I(z_j; v_k) in nats, one row per factor, and each factor's gap
//   mutual_information.png   the same matrix over H(v_k) as a heat map (rows: factors, columns:
//                            latent dimensions; white = the dimension carries all of the factor)
//   traversals.png           one row per latent dimension: the decoded code of one test image
//                            with that dimension swept over -3 .. 3, the others held
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/shapes.h"
#include "examples/vae/vae_model.h"
#include "metrics/mutual_information_gap.h"

namespace minidl::examples {

struct ImageShape {
  int64_t channels = 1, height = 28, width = 28;
};

// `images` float32 [N, pixels] in [0, 1] and their `factors` int64 [N, K] (`factor_info` names
// them). Prints the MIG line and writes the three files above into `out`.
metrics::MutualInformationGap report_disentanglement(const Vae& vae, const Tensor& images,
                                                     const Tensor& factors,
                                                     const std::vector<data::Factor>& factor_info,
                                                     ImageShape shape,
                                                     const std::filesystem::path& out,
                                                     uint64_t seed);

}  // namespace minidl::examples
