#include "data/png.h"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string_view>
#include <vector>

#include "tensor/atomic_file.h"

namespace minidl::data {

namespace {

constexpr uint8_t kBorderGrey = 128;
constexpr uint8_t kAxisGrey = 200;

// An 8-bit interleaved image being drawn (rows of width * channels bytes).
struct Canvas {
  int64_t width, height, channels;
  std::vector<uint8_t> pixels;

  Canvas(int64_t w, int64_t h, int64_t c, uint8_t fill)
      : width(w), height(h), channels(c), pixels(size_t(w * h * c), fill) {}
  uint8_t* at(int64_t x, int64_t y) { return &pixels[size_t((y * width + x) * channels)]; }
};

void save(const std::string& path, const Canvas& canvas, std::string_view op) {
  MINIDL_CHECK(canvas.width <= INT_MAX / 4 && canvas.height <= INT_MAX / 4,
               op << ": " << path << ": " << canvas.width << "x" << canvas.height
                  << " is too large for a PNG");
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
  };
  const int ok = stbi_write_png_to_func(append, &bytes, int(canvas.width), int(canvas.height),
                                        int(canvas.channels), canvas.pixels.data(),
                                        int(canvas.width * canvas.channels));
  MINIDL_CHECK(ok != 0, op << ": " << path << ": PNG encoding failed");
  write_file_atomically(path, bytes);
}

// Images as float [N, C, H, W] contiguous, whatever the accepted input layout.
Tensor as_nchw(const Tensor& images, std::string_view op) {
  MINIDL_CHECK(images.defined() && is_floating(images.dtype()),
               op << ": images must be a float tensor");
  Tensor x = images.dim() == 3 ? images.unsqueeze(1) : images;
  MINIDL_CHECK(
      x.dim() == 4 && (x.size(1) == 1 || x.size(1) == 3),
      op << ": expected images [N, H, W] or [N, C, H, W] with C = 1 or 3, got " << images.shape());
  return x.to(DType::Float32).contiguous();
}

// Copies image n of `images` (float NCHW) into the canvas with its top-left corner at (x0, y0).
void paste(Canvas& canvas, const Tensor& images, int64_t n, int64_t x0, int64_t y0,
           PixelRange range) {
  const int64_t c = images.size(1), h = images.size(2), w = images.size(3);
  const float* src = images.data<float>() + n * c * h * w;
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      uint8_t* dst = canvas.at(x0 + x, y0 + y);
      for (int64_t k = 0; k < c; ++k) dst[k] = byte_from_pixel(src[(k * h + y) * w + x], range);
    }
  }
}

}  // namespace

void write_png(const std::string& path, const Tensor& image, PixelRange range) {
  MINIDL_CHECK(image.defined() && (image.dim() == 2 || image.dim() == 3),
               "write_png: " << path << ": expected an image [H, W] or [C, H, W], got "
                             << (image.defined() ? shape_str(image.shape()) : "undefined"));
  // [H, W] -> [1, H, W] -> (as_nchw) [1, 1, H, W]; [C, H, W] -> [1, C, H, W].
  const Tensor batch = as_nchw(image.unsqueeze(0), "write_png");
  Canvas canvas(batch.size(3), batch.size(2), batch.size(1), 0);
  paste(canvas, batch, 0, 0, 0, range);
  save(path, canvas, "write_png");
}

void write_image_grid(const std::string& path, const Tensor& images, int64_t rows, int64_t cols,
                      PixelRange range) {
  MINIDL_CHECK(rows > 0 && cols > 0, "write_image_grid: " << path << ": a grid needs positive "
                                                          << "rows and cols, got " << rows << "x"
                                                          << cols);
  const Tensor x = as_nchw(images, "write_image_grid");
  const int64_t c = x.size(1), h = x.size(2), w = x.size(3);
  Canvas canvas(cols * (w + 1) + 1, rows * (h + 1) + 1, c, kBorderGrey);
  const int64_t shown = std::min(x.size(0), rows * cols);
  for (int64_t n = 0; n < shown; ++n) {
    paste(canvas, x, n, 1 + (n % cols) * (w + 1), 1 + (n / cols) * (h + 1), range);
  }
  save(path, canvas, "write_image_grid");
}

void write_scatter_png(const std::string& path, const Tensor& real, const Tensor& generated,
                       const ScatterOptions& options) {
  const ScatterOptions& o = options;
  MINIDL_CHECK(o.x_min < o.x_max && o.y_min < o.y_max,
               "write_scatter_png: " << path << ": empty axis limits x [" << o.x_min << ", "
                                     << o.x_max << "], y [" << o.y_min << ", " << o.y_max << "]");
  MINIDL_CHECK(o.width >= 2 && o.height >= 2 && o.point_radius >= 0,
               "write_scatter_png: " << path << ": bad size " << o.width << "x" << o.height
                                     << " or point radius " << o.point_radius);
  Canvas canvas(o.width, o.height, 3, 255);
  auto column = [&](double x) {
    return std::lround((x - o.x_min) / (o.x_max - o.x_min) * double(o.width - 1));
  };
  auto row = [&](double y) {
    return std::lround((o.y_max - y) / (o.y_max - o.y_min) * double(o.height - 1));
  };
  // Axes through the origin, when it is in view, give the eye a reference.
  if (o.x_min <= 0 && 0 <= o.x_max) {
    for (int64_t y = 0; y < o.height; ++y) std::fill_n(canvas.at(column(0), y), 3, kAxisGrey);
  }
  if (o.y_min <= 0 && 0 <= o.y_max) {
    for (int64_t x = 0; x < o.width; ++x) std::fill_n(canvas.at(x, row(0)), 3, kAxisGrey);
  }
  auto draw = [&](const Tensor& points, const uint8_t* colour, const char* which) {
    if (!points.defined() || points.numel() == 0) return;
    MINIDL_CHECK(points.dim() == 2 && points.size(1) == 2 && is_floating(points.dtype()),
                 "write_scatter_png: " << path << ": " << which
                                       << " points must be float [N, 2], got " << points.dtype()
                                       << " " << points.shape());
    const std::vector<double> xy = points.to_vector<double>();
    for (size_t i = 0; i + 1 < xy.size(); i += 2) {
      const double x = xy[i], y = xy[i + 1];
      if (!(x >= o.x_min && x <= o.x_max && y >= o.y_min && y <= o.y_max)) continue;  // and NaN
      const int64_t cx = column(x), cy = row(y);
      for (int64_t py = std::max<int64_t>(cy - o.point_radius, 0);
           py <= std::min(cy + o.point_radius, o.height - 1); ++py) {
        for (int64_t px = std::max<int64_t>(cx - o.point_radius, 0);
             px <= std::min(cx + o.point_radius, o.width - 1); ++px) {
          std::copy_n(colour, 3, canvas.at(px, py));
        }
      }
    }
  };
  draw(real, kRealPointColour, "real");
  draw(generated, kGeneratedPointColour, "generated");
  save(path, canvas, "write_scatter_png");
}

}  // namespace minidl::data
