#include "nn/conv.h"

#include <cmath>
#include <sstream>

#include "nn/init.h"

namespace minidl::nn {

namespace {

void check_channels(const char* layer, int64_t in_channels, int64_t out_channels, Size2 kernel,
                    int64_t groups) {
  MINIDL_CHECK(in_channels > 0 && out_channels > 0, layer << ": channels must be positive, got "
                                                          << in_channels << " -> " << out_channels);
  MINIDL_CHECK(kernel[0] > 0 && kernel[1] > 0,
               layer << ": kernel_size must be positive, got " << kernel[0] << "x" << kernel[1]);
  MINIDL_CHECK(groups > 0 && in_channels % groups == 0 && out_channels % groups == 0,
               layer << ": groups = " << groups << " must divide in_channels = " << in_channels
                     << " and out_channels = " << out_channels);
}

std::ostream& operator<<(std::ostream& os, Size2 size) {
  return os << '[' << size[0] << ", " << size[1] << ']';
}

// "Conv2d(1, 64, kernel_size=[4, 4], stride=[2, 2], padding=[1, 1])"; output_padding, dilation,
// groups and bias=false are shown when they differ from the defaults.
std::string describe(const char* kind, int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                     Size2 stride, Size2 padding, Size2 output_padding, Size2 dilation,
                     int64_t groups, bool bias) {
  std::ostringstream os;
  os << kind << '(' << in_channels << ", " << out_channels << ", kernel_size=" << kernel_size
     << ", stride=" << stride << ", padding=" << padding;
  if (output_padding != Size2{0, 0}) os << ", output_padding=" << output_padding;
  if (dilation != Size2{1, 1}) os << ", dilation=" << dilation;
  if (groups != 1) os << ", groups=" << groups;
  if (!bias) os << ", bias=false";
  os << ')';
  return os.str();
}

}  // namespace

Convolution::Convolution(const char* kind, int64_t in_channels, int64_t out_channels,
                         Size2 kernel_size, int64_t groups, bool has_bias, bool transposed,
                         Generator& gen)
    : in_channels(in_channels), out_channels(out_channels), kernel_size(kernel_size) {
  check_channels(kind, in_channels, out_channels, kernel_size, groups);
  const Shape weight_shape =
      transposed ? Shape{in_channels, out_channels / groups, kernel_size[0], kernel_size[1]}
                 : Shape{out_channels, in_channels / groups, kernel_size[0], kernel_size[1]};
  weight = register_parameter("weight", Tensor::empty(weight_shape));
  if (has_bias) bias = register_parameter("bias", Tensor::empty({out_channels}));
  kaiming_uniform_(weight, std::sqrt(5.0), gen);
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(double(calculate_fan_in_and_fan_out(weight.data()).first));
    uniform_(bias, -bound, bound, gen);
  }
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
               const Conv2dOptions& options, Generator& gen)
    : Convolution("Conv2d", in_channels, out_channels, kernel_size, options.groups, options.bias,
                  /*transposed=*/false, gen),
      options(options) {}

Variable Conv2d::forward(const Variable& input) {
  return conv2d(input, weight, bias, options.stride, options.padding, options.dilation,
                options.groups);
}

std::string Conv2d::name() const {
  return describe("Conv2d", in_channels, out_channels, kernel_size, options.stride, options.padding,
                  {0, 0}, options.dilation, options.groups, options.bias);
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                                 const ConvTranspose2dOptions& options, Generator& gen)
    : Convolution("ConvTranspose2d", in_channels, out_channels, kernel_size, options.groups,
                  options.bias, /*transposed=*/true, gen),
      options(options) {}

Variable ConvTranspose2d::forward(const Variable& input) {
  return conv_transpose2d(input, weight, bias, options.stride, options.padding,
                          options.output_padding, options.dilation, options.groups);
}

std::string ConvTranspose2d::name() const {
  return describe("ConvTranspose2d", in_channels, out_channels, kernel_size, options.stride,
                  options.padding, options.output_padding, options.dilation, options.groups,
                  options.bias);
}

}  // namespace minidl::nn
