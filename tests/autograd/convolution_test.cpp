// conv2d and conv_transpose2d on batches large enough that their columns are built in several
// runs of images: the values and gradients equal those of each image convolved on its own. (The
// gradcheck table covers the small shapes, which take one run.)
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/autograd.h"

using namespace minidl;

namespace {

void expect_near(const Tensor& a, const Tensor& b, double tolerance) {
  ASSERT_EQ(a.shape(), b.shape());
  std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>();
  for (size_t i = 0; i < av.size(); ++i) ASSERT_NEAR(av[i], bv[i], tolerance) << "at index " << i;
}

// f(x, w, b) on the whole batch against the same on each image, for the output and for the
// gradients of sum(out * g).
template <typename F>
void expect_batch_equals_images(F f, const Shape& x_shape, const Shape& w_shape, int64_t bias) {
  Generator gen(9);
  Variable x(uniform(x_shape, -1, 1, DType::Float64, gen), true);
  Variable w(uniform(w_shape, -1, 1, DType::Float64, gen), true);
  Variable b(uniform({bias}, -1, 1, DType::Float64, gen), true);
  Variable out = f(x, w, b);
  Variable g(uniform(out.shape(), -1, 1, DType::Float64, gen));
  sum(out * g).backward();
  Tensor grad_w_sum = zeros(w_shape, DType::Float64);
  for (int64_t i = 0; i < x_shape[0]; ++i) {
    Variable xi(x.data().narrow(0, i, 1).clone(), true);
    Variable wi(w.data().clone(), true);
    Variable bi(b.data().clone(), true);
    Variable out_i = f(xi, wi, bi);
    expect_near(out_i.data(), out.data().narrow(0, i, 1), 1e-12);
    sum(out_i * Variable(g.data().narrow(0, i, 1).clone())).backward();
    expect_near(xi.grad().data(), x.grad().data().narrow(0, i, 1), 1e-12);
    add_(grad_w_sum, wi.grad().data());
  }
  expect_near(w.grad().data(), grad_w_sum, 1e-9);
}

}  // namespace

TEST(Conv2d, RunsOfImagesGiveThePerImageResult) {
  // float64 [5, 32, 32, 32], 3x3: 1024 x 288 x 8 bytes = 2.4 MB of columns per image, so the
  // batch is built in more than one run.
  expect_batch_equals_images(
      [](const Variable& x, const Variable& w, const Variable& b) {
        return conv2d(x, w, b, {1, 1}, {1, 1});
      },
      {5, 32, 32, 32}, {3, 32, 3, 3}, 3);
}

TEST(ConvTranspose2d, RunsOfImagesGiveThePerImageResult) {
  // float64 [5, 2, 32, 32] to 64 channels, 4x4: 1024 x 1024 x 8 bytes = 8.4 MB per image.
  expect_batch_equals_images(
      [](const Variable& x, const Variable& w, const Variable& b) {
        return conv_transpose2d(x, w, b, {2, 2}, {1, 1});
      },
      {5, 2, 32, 32}, {2, 64, 4, 4}, 64);
}
