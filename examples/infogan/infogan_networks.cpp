#include "examples/infogan/infogan_networks.h"

#include "nn/activation.h"
#include "nn/normalization.h"

namespace minidl::examples {

std::shared_ptr<nn::Sequential> make_q_head(int64_t features, const InfoCodes& codes,
                                            Generator& init, int64_t q_hidden) {
  auto q = std::make_shared<nn::Sequential>();
  q->push_back(std::make_shared<nn::Linear>(features, q_hidden, true, init));
  q->push_back(std::make_shared<nn::BatchNorm1d>(q_hidden));
  q->push_back(std::make_shared<nn::LeakyReLU>(0.1));
  q->push_back(std::make_shared<nn::Linear>(q_hidden, codes.q_outputs(), true, init));
  return q;
}

InfoGanNetworks make_infogan_networks(int64_t noise, const InfoCodes& codes, Generator& init,
                                      DcganWidths widths, int64_t q_hidden) {
  InfoGanNetworks n;
  n.generator = make_dcgan_generator(noise + codes.categories + codes.continuous, init, widths);
  // Batch normalisation in D, as the paper's network: InfoGAN trains with the non-saturating loss.
  n.body = make_dcgan_critic_body(CriticNorm::Batch, init, widths);
  n.d_head = std::make_shared<nn::Linear>(widths.features, 1, true, init);
  n.q_head = make_q_head(widths.features, codes, init, q_hidden);
  n.discriminator = std::make_shared<nn::Sequential>(n.body, n.d_head);
  return n;
}

}  // namespace minidl::examples
