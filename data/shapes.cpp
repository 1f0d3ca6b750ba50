#include "data/shapes.h"

#include <cmath>
#include <cstring>
#include <numbers>

#include "tensor/creation.h"
#include "tensor/random.h"

namespace minidl::data {

namespace {

// Geometry, in units of the image's width (pixel centres at (c + 0.5) / 64). At scale 1 a square
// has half-side 0.12 (15.4 pixels across); centres run over [0.2, 0.8], which keeps every shape
// of every scale and orientation inside the image.
constexpr double kHalfSize = 0.12;
constexpr double kPositionLow = 0.2, kPositionSpan = 0.6;
constexpr double kEllipseMinorAxis = 0.5;  // the ellipse's half-width along v, its half-length 1

// Whether (u, v), in the shape's own frame (unit: the half size at this scale), is inside it.
bool inside(int64_t shape, double u, double v) {
  switch (shape) {
    case 0:  // square
      return std::abs(u) <= 1 && std::abs(v) <= 1;
    case 1:  // ellipse
      return u * u + (v / kEllipseMinorAxis) * (v / kEllipseMinorAxis) <= 1;
    default: {
      // Heart: the sextic (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, which spans x in [-1.139, 1.139] and
      // y in [-1, 1.236]; stretched to the unit half size, centred, its point downwards.
      const double x = u * 1.139, y = -v * 1.118 + 0.118;
      const double r = x * x + y * y - 1;
      return r * r * r - x * x * y * y * y <= 0;
    }
  }
}

std::vector<Factor> factors_for(ShapesKind kind) {
  std::vector<Factor> f;
  if (kind == ShapesKind::ColorShapes) {
    f.push_back({"color", {"red", "green", "blue", "yellow", "magenta", "cyan"}, 6});
  }
  f.push_back({"shape", {"square", "ellipse", "heart"}, 3});
  f.push_back({"scale", {}, 6});
  f.push_back({"orientation", {}, 40});
  f.push_back({"x", {}, 32});
  f.push_back({"y", {}, 32});
  return f;
}

}  // namespace

ShapesKind parse_shapes_kind(const std::string& name) {
  if (name == "dsprites") return ShapesKind::DSprites;
  if (name == "color-shapes") return ShapesKind::ColorShapes;
  MINIDL_FAIL("shapes: unknown data set '" << name << "' (choose dsprites or color-shapes)");
}

std::string shapes_kind_name(ShapesKind kind) {
  return kind == ShapesKind::DSprites ? "dsprites" : "color-shapes";
}

Shapes::Shapes(ShapesKind kind) : kind_(kind), factors_(factors_for(kind)) {}

int64_t Shapes::size() const {
  int64_t n = 1;
  for (const Factor& f : factors_) n *= f.values;
  return n;
}

std::vector<int64_t> Shapes::factors_of(int64_t index) const {
  MINIDL_CHECK(index >= 0 && index < size(),
               "shapes: image index " << index << " outside [0, " << size() << ")");
  std::vector<int64_t> values(factors_.size());
  for (size_t i = factors_.size(); i-- > 0;) {
    values[i] = index % factors_[i].values;
    index /= factors_[i].values;
  }
  return values;
}

int64_t Shapes::index_of(const std::vector<int64_t>& values) const {
  MINIDL_CHECK(values.size() == factors_.size(), "shapes: " << values.size()
                                                            << " factor values for "
                                                            << factors_.size() << " factors");
  int64_t index = 0;
  for (size_t i = 0; i < factors_.size(); ++i) {
    MINIDL_CHECK(values[i] >= 0 && values[i] < factors_[i].values,
                 "shapes: " << factors_[i].name << " value " << values[i] << " outside [0, "
                            << factors_[i].values << ")");
    index = index * factors_[i].values + values[i];
  }
  return index;
}

void Shapes::render(const std::vector<int64_t>& values, uint8_t* out) const {
  index_of(values);  // checks them
  const size_t first = kind_ == ShapesKind::ColorShapes ? 1 : 0;
  const int64_t shape = values[first];
  const double scale = 0.5 + 0.1 * double(values[first + 1]);
  const double angle = 2 * std::numbers::pi * double(values[first + 2]) / 39.0;
  const double cx = kPositionLow + kPositionSpan * double(values[first + 3]) / 31.0;
  const double cy = kPositionLow + kPositionSpan * double(values[first + 4]) / 31.0;
  const double c = std::cos(angle), s = std::sin(angle), unit = kHalfSize * scale;
  const int64_t plane = kSize * kSize;
  for (int64_t row = 0; row < kSize; ++row) {
    for (int64_t col = 0; col < kSize; ++col) {
      // The pixel centre in the shape's frame: translate, rotate by -angle, scale.
      const double dx = (double(col) + 0.5) / double(kSize) - cx;
      const double dy = (double(row) + 0.5) / double(kSize) - cy;
      const bool in = inside(shape, (c * dx + s * dy) / unit, (-s * dx + c * dy) / unit);
      const int64_t p = row * kSize + col;
      if (kind_ == ShapesKind::DSprites) {
        out[p] = in ? 255 : 0;
      } else {
        const auto& rgb = in ? kShapeColors[size_t(values[0])] : kShapeBackground;
        for (int64_t ch = 0; ch < 3; ++ch) out[ch * plane + p] = rgb[size_t(ch)];
      }
    }
  }
}

FactorImages Shapes::images(const std::vector<int64_t>& indices) const {
  const int64_t n = int64_t(indices.size()), pixels = channels() * kSize * kSize;
  FactorImages result;
  result.channels = channels();
  result.images = Tensor::empty({n, pixels}, DType::Float32);
  result.factors = Tensor::empty({n, int64_t(factors_.size())}, DType::Int64);
  std::vector<uint8_t> bytes(static_cast<size_t>(pixels));
  float* images = result.images.data<float>();
  int64_t* factors = result.factors.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<int64_t> values = factors_of(indices[size_t(i)]);
    render(values, bytes.data());
    for (int64_t p = 0; p < pixels; ++p) images[i * pixels + p] = float(bytes[size_t(p)]) / 255.0f;
    std::memcpy(factors + i * int64_t(values.size()), values.data(),
                values.size() * sizeof(int64_t));
  }
  return result;
}

FactorImages Shapes::sample(int64_t count, uint64_t seed) const {
  MINIDL_CHECK(count >= 0, "shapes: cannot draw " << count << " images");
  Generator generator(seed);
  const Tensor drawn = randint(0, size(), {count}, generator);
  const int64_t* d = drawn.data<int64_t>();
  return images(std::vector<int64_t>(d, d + count));
}

}  // namespace minidl::data
