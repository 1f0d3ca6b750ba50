#include "examples/dcgan/dcgan_networks.h"

#include "nn/activation.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "nn/normalization.h"
#include "nn/reshape.h"

namespace minidl::examples {

namespace {

// Kernel 4, stride 2, padding 1: doubles (transposed) or halves (direct) the height and width.
constexpr nn::Conv2dOptions kDown{.stride = {2, 2}, .padding = {1, 1}};
constexpr nn::ConvTranspose2dOptions kUp{.stride = {2, 2}, .padding = {1, 1}};

}  // namespace

std::shared_ptr<nn::Sequential> make_dcgan_generator(int64_t latent, Generator& init,
                                                     DcganWidths widths) {
  const int64_t f = widths.features, c = widths.channels;
  auto g = std::make_shared<nn::Sequential>();
  g->push_back(std::make_shared<nn::Linear>(latent, f, true, init));
  g->push_back(std::make_shared<nn::BatchNorm1d>(f));
  g->push_back(std::make_shared<nn::ReLU>());
  g->push_back(std::make_shared<nn::Linear>(f, 2 * c * 7 * 7, true, init));
  g->push_back(std::make_shared<nn::BatchNorm1d>(2 * c * 7 * 7));
  g->push_back(std::make_shared<nn::ReLU>());
  g->push_back(std::make_shared<nn::Unflatten>(1, Shape{2 * c, 7, 7}));
  g->push_back(std::make_shared<nn::ConvTranspose2d>(2 * c, c, Size2{4, 4}, kUp, init));
  g->push_back(std::make_shared<nn::BatchNorm2d>(c));
  g->push_back(std::make_shared<nn::ReLU>());
  g->push_back(std::make_shared<nn::ConvTranspose2d>(c, 1, Size2{4, 4}, kUp, init));
  g->push_back(std::make_shared<nn::Tanh>());
  g->push_back(std::make_shared<nn::Flatten>());
  return g;
}

std::shared_ptr<nn::Sequential> make_dcgan_critic_body(CriticNorm norm, Generator& init,
                                                       DcganWidths widths) {
  const int64_t f = widths.features, c = widths.channels;
  auto normalise = [norm](Shape features) -> std::shared_ptr<nn::Module> {
    if (norm == CriticNorm::Layer) return std::make_shared<nn::LayerNorm>(features);
    if (features.size() == 1) return std::make_shared<nn::BatchNorm1d>(features[0]);
    return std::make_shared<nn::BatchNorm2d>(features[0]);
  };
  auto d = std::make_shared<nn::Sequential>();
  d->push_back(std::make_shared<nn::Unflatten>(1, Shape{1, 28, 28}));
  d->push_back(std::make_shared<nn::Conv2d>(1, c, Size2{4, 4}, kDown, init));
  d->push_back(std::make_shared<nn::LeakyReLU>(0.1));
  d->push_back(std::make_shared<nn::Conv2d>(c, 2 * c, Size2{4, 4}, kDown, init));
  d->push_back(normalise({2 * c, 7, 7}));
  d->push_back(std::make_shared<nn::LeakyReLU>(0.1));
  d->push_back(std::make_shared<nn::Flatten>());
  d->push_back(std::make_shared<nn::Linear>(2 * c * 7 * 7, f, true, init));
  d->push_back(normalise({f}));
  d->push_back(std::make_shared<nn::LeakyReLU>(0.1));
  return d;
}

std::shared_ptr<nn::Sequential> make_dcgan_critic(CriticNorm norm, Generator& init,
                                                  DcganWidths widths) {
  // The head goes into the body's own list, so the layers keep their names ("10.weight").
  std::shared_ptr<nn::Sequential> d = make_dcgan_critic_body(norm, init, widths);
  d->push_back(std::make_shared<nn::Linear>(widths.features, 1, true, init));
  return d;
}

}  // namespace minidl::examples
