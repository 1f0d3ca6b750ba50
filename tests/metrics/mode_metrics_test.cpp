// The ring8 / grid25 mixtures, their sampler, and the mode-collapse metrics of generated points.
#include "metrics/mode_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>
#include <vector>

#include "metrics/mixture2d.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::metrics;

namespace {

// n copies of each listed centre of `mixture` (exactly on the centre), as [n * modes, 2].
Tensor points_at(const GaussianMixture2d& mixture, const std::vector<int64_t>& modes, int64_t n) {
  std::vector<Tensor> rows;
  for (int64_t m : modes) rows.push_back(mixture.centres.narrow(0, m, 1).expand({n, 2}));
  return concat(rows, 0);
}

}  // namespace

TEST(Mixture2d, Ring8CentresAreOnTheCircle) {
  const GaussianMixture2d ring = ring8();
  EXPECT_EQ(ring.centres.shape(), (Shape{8, 2}));
  EXPECT_EQ(ring.std, 0.02);
  const std::vector<double> c = ring.centres.to_vector<double>();
  for (int k = 0; k < 8; ++k) {
    const double angle = 2.0 * std::numbers::pi * k / 8.0;  // 45 degrees apart, the first at (2, 0)
    EXPECT_NEAR(c[2 * k], 2.0 * std::cos(angle), 1e-15);
    EXPECT_NEAR(c[2 * k + 1], 2.0 * std::sin(angle), 1e-15);
  }
  EXPECT_NEAR(c[2], std::sqrt(2.0), 1e-15);  // (sqrt 2, sqrt 2) at 45 degrees
}

TEST(Mixture2d, Grid25CentresAreTheFiveByFiveGrid) {
  const GaussianMixture2d grid = grid25();
  EXPECT_EQ(grid.centres.shape(), (Shape{25, 2}));
  EXPECT_EQ(grid.std, 0.05);
  const std::vector<double> c = grid.centres.to_vector<double>();
  std::vector<std::pair<double, double>> expected, got;
  for (double x : {-4, -2, 0, 2, 4}) {
    for (double y : {-4, -2, 0, 2, 4}) expected.emplace_back(x, y);
  }
  for (int k = 0; k < 25; ++k) got.emplace_back(c[2 * k], c[2 * k + 1]);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
}

TEST(Mixture2d, SamplerHasTheRightMomentsAndIsSeeded) {
  const GaussianMixture2d ring = ring8();
  Generator gen(1), same(1);
  const Tensor a = sample_mixture(ring, 80000, gen, DType::Float64);
  EXPECT_EQ(a.shape(), (Shape{80000, 2}));
  EXPECT_EQ(a.to_vector<double>(),
            sample_mixture(ring, 80000, same, DType::Float64).to_vector<double>());
  // The mixture's mean is the centres' mean, (0, 0); each coordinate's variance is
  // (mean of centre_x^2) + std^2 = 2 + 0.0004 (centres on a circle of radius 2). Sampling error
  // of the variance with 80000 points is about 2 * sqrt(2 / 80000) = 0.01.
  const std::vector<double> m = mean(a, {0}).to_vector<double>();
  const std::vector<double> v = var(a, {0}).to_vector<double>();
  for (int axis = 0; axis < 2; ++axis) {
    EXPECT_NEAR(m[axis], 0.0, 0.03);
    EXPECT_NEAR(v[axis], 2.0004, 0.05);
  }
}

TEST(ModeMetrics, PerfectRing8SamplerCoversEveryMode) {
  Generator gen(2);
  const int64_t n = 200000;
  const ModeMetrics r = mode_metrics(sample_mixture(ring8(), n, gen), ring8());
  EXPECT_EQ(r.modes_covered, 8);
  // Within 3 std in 2-D: 1 - exp(-9/2) = 0.98889 (Rayleigh tail), standard error 2.3e-4.
  const double expected = 1.0 - std::exp(-4.5);
  EXPECT_NEAR(r.high_quality_fraction, expected, 6.0 * std::sqrt(expected * (1 - expected) / n));
  // Plug-in KL of a multinomial from its own (uniform) law: mean (K - 1) / (2 N_hq) = 1.8e-5.
  EXPECT_GE(r.kl_from_uniform, 0.0);
  EXPECT_LT(r.kl_from_uniform, 2e-4);
  EXPECT_EQ(sum(r.mode_counts).item(), static_cast<double>(r.high_quality));
}

TEST(ModeMetrics, PerfectGrid25SamplerCoversEveryMode) {
  Generator gen(3);
  const ModeMetrics r = mode_metrics(sample_mixture(grid25(), 100000, gen), grid25());
  EXPECT_EQ(r.modes_covered, 25);
  EXPECT_NEAR(r.high_quality_fraction, 1.0 - std::exp(-4.5), 0.003);
}

TEST(ModeMetrics, CollapseOntoOneModeOrHalfTheModes) {
  const GaussianMixture2d ring = ring8();
  const ModeMetrics one = mode_metrics(points_at(ring, {5}, 100), ring);
  EXPECT_EQ(one.modes_covered, 1);
  EXPECT_EQ(one.high_quality_fraction, 1.0);
  EXPECT_NEAR(one.kl_from_uniform, std::log(8.0), 1e-14);
  const ModeMetrics half = mode_metrics(points_at(ring, {0, 2, 4, 6}, 50), ring);
  EXPECT_EQ(half.modes_covered, 4);
  EXPECT_NEAR(half.kl_from_uniform, std::log(2.0), 1e-14);
  EXPECT_EQ(half.mode_counts.to_vector<double>(),
            (std::vector<double>{50, 0, 50, 0, 50, 0, 50, 0}));
}

TEST(ModeMetrics, QualityRadiusIsThreeStd) {
  const GaussianMixture2d ring = ring8();
  // Offsets from centre 0 = (2, 0) along y: 2.99 std is HQ, 3.01 std is not.
  const Tensor points = tensor({{2.0, 2.99 * 0.02}, {2.0, -3.01 * 0.02}, {0.0, 0.0}});
  const ModeMetrics r = mode_metrics(points, ring);
  EXPECT_EQ(r.high_quality, 1);
  EXPECT_NEAR(r.high_quality_fraction, 1.0 / 3.0, 1e-15);
  const ModeMetrics wide = mode_metrics(points, ring, {.quality_radius_in_std = 4.0});
  EXPECT_EQ(wide.high_quality, 2);
}

TEST(ModeMetrics, CoverageRulesDifferWhenFewPointsAreHighQuality) {
  // 1000 points: 9 HQ at mode 0, 1 HQ at mode 1, 990 far from every mode. Mode 1 holds 10% of the
  // HQ points (covered under FractionOfHighQuality) but 0.1% of all points (not covered under
  // FractionOfAll, the rule of the PyTorch figures in docs/benchmarks.md).
  const GaussianMixture2d ring = ring8();
  const Tensor points = concat(
      {points_at(ring, {0}, 9), points_at(ring, {1}, 1), full({990, 2}, 10.0, DType::Float64)}, 0);
  const ModeMetrics hq_rule = mode_metrics(points, ring);
  EXPECT_EQ(hq_rule.modes_covered, 2);
  EXPECT_NEAR(hq_rule.high_quality_fraction, 0.01, 1e-15);
  const ModeMetrics all_rule =
      mode_metrics(points, ring, {.coverage_rule = CoverageRule::FractionOfAll});
  EXPECT_EQ(all_rule.modes_covered, 0);  // mode 0 has 0.9% of all points, mode 1 0.1%
}

TEST(ModeMetrics, NoHighQualityPointsAndNonFiniteOnes) {
  const GaussianMixture2d ring = ring8();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const ModeMetrics r = mode_metrics(tensor({{nan, 0.0}, {inf, 2.0}, {10.0, 10.0}}), ring);
  EXPECT_EQ(r.high_quality, 0);
  EXPECT_EQ(r.modes_covered, 0);
  EXPECT_TRUE(std::isnan(r.kl_from_uniform));
  EXPECT_THROW(mode_metrics(zeros({4, 3}), ring), Error);
  EXPECT_THROW(mode_metrics(zeros({4, 2}), GaussianMixture2d{ring.centres, 0.0}), Error);
}
