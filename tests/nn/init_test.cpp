// Initialisers: torch.nn.init's gains and fan rules, the spread of the drawn values (bounds and
// standard deviations from the closed forms), in-place writes, and seeded reproducibility.
#include <gtest/gtest.h>

#include <cmath>

#include "nn_test_util.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::bit_identical;
using minidl::test::values;

namespace {

struct Stats {
  double low, high, mean, std;
};

Stats stats_of(const Variable& v) {
  std::vector<double> x = values(v.data());
  Stats s{x[0], x[0], 0, 0};
  for (double value : x) {
    s.low = std::min(s.low, value);
    s.high = std::max(s.high, value);
    s.mean += value;
  }
  s.mean /= double(x.size());
  for (double value : x) s.std += (value - s.mean) * (value - s.mean);
  s.std = std::sqrt(s.std / double(x.size()));
  return s;
}

}  // namespace

TEST(Init, GainsAreTorchs) {
  EXPECT_EQ(calculate_gain("linear"), 1.0);
  EXPECT_EQ(calculate_gain("sigmoid"), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu"), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(calculate_gain("selu"), 0.75);
  EXPECT_MINIDL_ERROR(calculate_gain("swish"), "calculate_gain: unknown nonlinearity 'swish'");
}

TEST(Init, FansCountTheReceptiveField) {
  EXPECT_EQ(calculate_fan_in_and_fan_out(zeros({300, 784})),
            (std::pair<int64_t, int64_t>{784, 300}));
  // A [out=8, in=3, 5, 5] convolution kernel: fan_in = 3 * 25, fan_out = 8 * 25.
  EXPECT_EQ(calculate_fan_in_and_fan_out(zeros({8, 3, 5, 5})),
            (std::pair<int64_t, int64_t>{75, 200}));
  EXPECT_MINIDL_ERROR(calculate_fan_in_and_fan_out(zeros({5})),
                      "calculate_fan_in_and_fan_out: fans need a weight with at least 2 "
                      "dimensions, got shape [5]");
}

TEST(Init, XavierUniformFillsPlusMinusGainSqrt6OverFanSum) {
  Variable w(zeros({200, 300}), true);
  Generator gen(1);
  xavier_uniform_(w, 2.0, gen);
  const double bound = 2.0 * std::sqrt(6.0 / 500.0);
  Stats s = stats_of(w);
  EXPECT_GE(s.low, -bound);
  EXPECT_LE(s.high, bound);
  EXPECT_LT(s.low, -0.99 * bound);
  EXPECT_GT(s.high, 0.99 * bound);
  EXPECT_NEAR(s.std, bound / std::sqrt(3.0), 0.01 * bound);  // 60,000 draws
}

TEST(Init, NormalInitialisersHaveTheirClosedFormStandardDeviations) {
  Generator gen(2);
  Variable w(zeros({256, 400}), true);
  xavier_normal_(w, 1.0, gen);
  EXPECT_NEAR(stats_of(w).std, std::sqrt(2.0 / 656.0), 0.01 * std::sqrt(2.0 / 656.0));
  kaiming_normal_(w, 0.0, gen, FanMode::FanIn, "relu");
  EXPECT_NEAR(stats_of(w).std, std::sqrt(2.0 / 400.0), 0.01 * std::sqrt(2.0 / 400.0));
  kaiming_normal_(w, 0.0, gen, FanMode::FanOut, "relu");
  EXPECT_NEAR(stats_of(w).std, std::sqrt(2.0 / 256.0), 0.01 * std::sqrt(2.0 / 256.0));
  EXPECT_NEAR(stats_of(w).mean, 0.0, 0.01 * std::sqrt(2.0 / 256.0));
}

TEST(Init, KaimingUniformWithASqrt5IsLinearsDefault) {
  // gain = sqrt(2 / (1 + 5)), bound = sqrt(3) * gain / sqrt(fan_in) = 1 / sqrt(fan_in).
  Generator a(3), b(3);
  Variable w(zeros({4, 9}), true);
  kaiming_uniform_(w, std::sqrt(5.0), a);
  EXPECT_TRUE(bit_identical(w.data(), uniform({4, 9}, -1.0 / 3.0, 1.0 / 3.0, DType::Float32, b)));
}

TEST(Init, WritesInPlaceAndIsReproducible) {
  Linear layer(5, 3);
  Variable handle = layer.weight;
  Tensor storage = layer.weight.data();
  constant_(layer.weight, 0.5);
  EXPECT_EQ(values(handle.data()), std::vector<double>(15, 0.5));
  EXPECT_TRUE(storage.shares_storage_with(layer.weight.data()));
  zeros_(layer.bias);
  EXPECT_EQ(values(layer.bias.data()), std::vector<double>(3, 0.0));
  ones_(layer.bias);
  EXPECT_EQ(values(layer.bias.data()), std::vector<double>(3, 1.0));

  Generator g1(42), g2(42);
  Variable x(zeros({3, 3}, DType::Float64), true), y(zeros({3, 3}, DType::Float64), true);
  xavier_uniform_(x, 1.0, g1);
  xavier_uniform_(y, 1.0, g2);
  EXPECT_TRUE(bit_identical(x.data(), y.data()));
  EXPECT_EQ(x.dtype(), DType::Float64);  // keeps the parameter's dtype
  Variable indices(zeros({2, 2}, DType::Int64));
  EXPECT_MINIDL_ERROR(xavier_uniform_(indices),
                      "xavier_uniform_: parameter of dtype int64 (float32 or float64 needed)");
}
