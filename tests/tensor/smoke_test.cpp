#include <gtest/gtest.h>

#include "tensor/tensor.h"

using namespace minidl;

TEST(Smoke, AddBroadcast) {
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor b = tensor({10, 20, 30});
  EXPECT_EQ((a + b).to_vector<float>(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
}
