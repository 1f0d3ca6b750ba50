// An outside program built against minidl: one step of a linear regression, checked.
#include <cstdio>

#include "nn/nn.h"

int main() {
  using namespace minidl;
  nn::Linear model(3, 1);
  optim::Adam adam(model.parameters(), {.lr = 0.1});
  Variable x(randn({8, 3})), y(randn({8, 1}));
  const double before = nn::mse_loss(model(x), y).item();
  adam.zero_grad();
  nn::mse_loss(model(x), y).backward();
  adam.step();
  const double after = nn::mse_loss(model(x), y).item();
  std::printf("mse before %.6f, after one Adam step %.6f\n", before, after);
  return after < before ? 0 : 1;
}
