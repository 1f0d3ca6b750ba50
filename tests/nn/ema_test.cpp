// The exponential moving average of a module's weights against a hand computation.
#include "nn/ema.h"

#include <gtest/gtest.h>

#include "nn/linear.h"
#include "nn/normalization.h"
#include "nn/sequential.h"

using namespace minidl;
using namespace minidl::nn;

TEST(ExponentialMovingAverage, AveragesParametersAndCopiesBuffers) {
  Generator gen(1);
  auto source = std::make_shared<Sequential>(std::make_shared<Linear>(2, 1, true, gen),
                                             std::make_shared<BatchNorm1d>(1));
  auto shadow = std::make_shared<Sequential>(std::make_shared<Linear>(2, 1, true, gen),
                                             std::make_shared<BatchNorm1d>(1));
  Variable weight = source->named_parameters()[0].second;
  weight.set_data(tensor({{1.0, 2.0}}));
  ExponentialMovingAverage ema(*shadow, *source, 0.5);
  // Starts as a copy.
  EXPECT_EQ(shadow->named_parameters()[0].second.data().to_vector<float>(),
            (std::vector<float>{1.0f, 2.0f}));
  // Three steps of the source to w = 3, 5, 9 (first element): the shadow is
  // 0.5 (0.5 (0.5 * 1 + 0.5 * 3) + 0.5 * 5) + 0.5 * 9 = 0.5 (0.5 * 2 + 2.5) + 4.5 = 6.25.
  for (float w : {3.0f, 5.0f, 9.0f}) {
    weight.set_data(tensor({{double(w), 0.0}}));
    ema.update();
  }
  const std::vector<float> averaged =
      shadow->named_parameters()[0].second.data().to_vector<float>();
  EXPECT_FLOAT_EQ(averaged[0], 6.25f);
  EXPECT_FLOAT_EQ(averaged[1], 0.25f);  // 2 halved three times
  // Buffers follow the source exactly.
  Tensor running_mean = source->named_buffers()[0].second;
  running_mean.fill_(0.75);
  ema.update();
  EXPECT_FLOAT_EQ(shadow->named_buffers()[0].second.to_vector<float>()[0], 0.75f);
}

TEST(ExponentialMovingAverage, RefusesMismatchedModulesAndBadDecays) {
  Generator gen(2);
  Linear a(2, 3, true, gen), b(3, 2, true, gen), c(2, 3, true, gen);
  EXPECT_THROW(ExponentialMovingAverage(a, b, 0.9), Error);
  EXPECT_THROW(ExponentialMovingAverage(a, c, 1.0), Error);
  EXPECT_THROW(ExponentialMovingAverage(a, c, -0.1), Error);
  EXPECT_NO_THROW(ExponentialMovingAverage(a, c, 0.0));
}
