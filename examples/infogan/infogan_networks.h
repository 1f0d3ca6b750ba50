// InfoGAN's networks for Fashion-MNIST (Chen et al. 2016, appendix C.1, the MNIST networks): W5's
// generator (examples/dcgan/dcgan_networks.h) fed noise and codes, and W5's discriminator split
// into a shared body and two heads.
//
//   G: [z (62), one_hot(c) (10), continuous codes (2)] = 74 -> the W5 generator -> [784]
//   body: [784] -> ... -> Linear 1024 -> BatchNorm1d -> LeakyReLU(0.1)     (D's, shared with Q)
//   D's head: Linear(1024, 1), a logit
//   Q's head: Linear(1024, 128) -> BatchNorm1d -> LeakyReLU(0.1) -> Linear(128, q_outputs)
//             (the categorical logits, then the continuous codes' means, then their log-variances)
//
// Q sharing D's body costs almost nothing (the paper's point: one extra small head).
#pragma once

#include <memory>

#include "examples/dcgan/dcgan_networks.h"
#include "examples/infogan/information.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "tensor/random.h"

namespace minidl::examples {

struct InfoGanNetworks {
  std::shared_ptr<nn::Sequential> generator;
  std::shared_ptr<nn::Sequential> body;
  std::shared_ptr<nn::Linear> d_head;
  std::shared_ptr<nn::Sequential> q_head;
  // body then d_head: the discriminator as one module, for its optimizer and the checkpoint.
  std::shared_ptr<nn::Sequential> discriminator;
};

// `noise` dimensions of z (62 in the paper) plus the codes' one-hot and continuous inputs.
// `widths` and `q_hidden` are the paper's by default; the trajectory tests build narrower ones.
InfoGanNetworks make_infogan_networks(int64_t noise, const InfoCodes& codes, Generator& init,
                                      DcganWidths widths = {}, int64_t q_hidden = 128);

// Q's head on `features` body outputs.
std::shared_ptr<nn::Sequential> make_q_head(int64_t features, const InfoCodes& codes,
                                            Generator& init, int64_t q_hidden = 128);

}  // namespace minidl::examples
