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

// The weight by kaiming_uniform_(a = sqrt(5)) (fans from dimensions 0 and 1, as PyTorch), then the
// bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void reset_parameters(Variable& weight, Variable& bias, Generator& gen) {
  kaiming_uniform_(weight, std::sqrt(5.0), gen);
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(double(calculate_fan_in_and_fan_out(weight.data()).first));
    uniform_(bias, -bound, bound, gen);
  }
}

std::ostream& operator<<(std::ostream& os, Size2 size) {
  return os << '[' << size[0] << ", " << size[1] << ']';
}

}  // namespace

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
               const Conv2dOptions& options, Generator& gen)
    : in_channels(in_channels),
      out_channels(out_channels),
      kernel_size(kernel_size),
      options(options) {
  check_channels("Conv2d", in_channels, out_channels, kernel_size, options.groups);
  weight = register_parameter("weight", Tensor::empty({out_channels, in_channels / options.groups,
                                                       kernel_size[0], kernel_size[1]}));
  if (options.bias) bias = register_parameter("bias", Tensor::empty({out_channels}));
  reset_parameters(weight, bias, gen);
}

Variable Conv2d::forward(const Variable& input) {
  return conv2d(input, weight, bias, options.stride, options.padding, options.dilation,
                options.groups);
}

std::string Conv2d::name() const {
  std::ostringstream os;
  os << "Conv2d(" << in_channels << ", " << out_channels << ", kernel_size=" << kernel_size
     << ", stride=" << options.stride << ", padding=" << options.padding;
  if (options.dilation != Size2{1, 1}) os << ", dilation=" << options.dilation;
  if (options.groups != 1) os << ", groups=" << options.groups;
  if (!options.bias) os << ", bias=false";
  os << ')';
  return os.str();
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                                 const ConvTranspose2dOptions& options, Generator& gen)
    : in_channels(in_channels),
      out_channels(out_channels),
      kernel_size(kernel_size),
      options(options) {
  check_channels("ConvTranspose2d", in_channels, out_channels, kernel_size, options.groups);
  weight = register_parameter("weight", Tensor::empty({in_channels, out_channels / options.groups,
                                                       kernel_size[0], kernel_size[1]}));
  if (options.bias) bias = register_parameter("bias", Tensor::empty({out_channels}));
  reset_parameters(weight, bias, gen);
}

Variable ConvTranspose2d::forward(const Variable& input) {
  return conv_transpose2d(input, weight, bias, options.stride, options.padding,
                          options.output_padding, options.dilation, options.groups);
}

std::string ConvTranspose2d::name() const {
  std::ostringstream os;
  os << "ConvTranspose2d(" << in_channels << ", " << out_channels << ", kernel_size=" << kernel_size
     << ", stride=" << options.stride << ", padding=" << options.padding;
  if (options.output_padding != Size2{0, 0}) os << ", output_padding=" << options.output_padding;
  if (options.dilation != Size2{1, 1}) os << ", dilation=" << options.dilation;
  if (options.groups != 1) os << ", groups=" << options.groups;
  if (!options.bias) os << ", bias=false";
  os << ')';
  return os.str();
}

}  // namespace minidl::nn
