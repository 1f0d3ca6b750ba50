#include "nn/pooling.h"

#include <sstream>

namespace minidl::nn {

namespace {

std::string size2(Size2 size) {
  return '[' + std::to_string(size[0]) + ", " + std::to_string(size[1]) + ']';
}

Size2 stride_or_kernel(Size2 stride, Size2 kernel) {
  return stride == Size2{0, 0} ? kernel : stride;
}

}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel_size, Size2 stride, Size2 padding, Size2 dilation)
    : kernel_size(kernel_size),
      stride(stride_or_kernel(stride, kernel_size)),
      padding(padding),
      dilation(dilation) {}

Variable MaxPool2d::forward(const Variable& input) {
  return max_pool2d(input, kernel_size, stride, padding, dilation);
}

std::string MaxPool2d::name() const {
  return "MaxPool2d(kernel_size=" + size2(kernel_size) + ", stride=" + size2(stride) +
         ", padding=" + size2(padding) + ", dilation=" + size2(dilation) + ")";
}

AvgPool2d::AvgPool2d(Size2 kernel_size, Size2 stride, Size2 padding, bool count_include_pad)
    : kernel_size(kernel_size),
      stride(stride_or_kernel(stride, kernel_size)),
      padding(padding),
      count_include_pad(count_include_pad) {}

Variable AvgPool2d::forward(const Variable& input) {
  return avg_pool2d(input, kernel_size, stride, padding, count_include_pad);
}

std::string AvgPool2d::name() const {
  return "AvgPool2d(kernel_size=" + size2(kernel_size) + ", stride=" + size2(stride) +
         ", padding=" + size2(padding) +
         (count_include_pad ? std::string(")") : std::string(", count_include_pad=false)"));
}

Upsample::Upsample(double scale_h, double scale_w) : scale_h(scale_h), scale_w(scale_w) {
  MINIDL_CHECK(scale_h > 0 && scale_w > 0,
               "Upsample: scale factors must be positive, got " << scale_h << "x" << scale_w);
}

Upsample::Upsample(Size2 size) : out_h(size[0]), out_w(size[1]) {
  MINIDL_CHECK(out_h > 0 && out_w > 0,
               "Upsample: output size must be positive, got " << out_h << "x" << out_w);
}

Variable Upsample::forward(const Variable& input) {
  if (scale_h > 0) return upsample_nearest2d(input, scale_h, scale_w);
  return upsample_nearest2d(input, Size2{out_h, out_w});
}

std::string Upsample::name() const {
  std::ostringstream os;
  if (scale_h > 0) {
    os << "Upsample(scale_factor=[" << scale_h << ", " << scale_w << "], mode=nearest)";
  } else {
    os << "Upsample(size=[" << out_h << ", " << out_w << "], mode=nearest)";
  }
  return os.str();
}

}  // namespace minidl::nn
