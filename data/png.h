// PNG files out (stb_image_write): single images, a grid of a batch of images (samples of a
// generator or reconstructions of a VAE), and a scatter plot of 2-D points (the real and
// generated points of the 2-D GAN). Files are written atomically (tensor/atomic_file.h).
#pragma once

#include <cstdint>
#include <string>

#include "data/pixels.h"
#include "tensor/core.h"

namespace minidl::data {

// One image: float [height, width] (grayscale) or [channels, height, width] with 1 or 3
// channels, values in `range` (clamped).
void write_png(const std::string& path, const Tensor& image,
               PixelRange range = PixelRange::ZeroToOne);

// A batch of images ([N, height, width] or [N, channels, height, width], channels 1 or 3) laid
// out as rows x cols cells in row-major order, with a 1-pixel grey (128) border around and
// between cells. The PNG is (cols * width + cols + 1) pixels wide and (rows * height + rows + 1)
// tall. Images beyond rows * cols are left out; cells without an image stay grey.
void write_image_grid(const std::string& path, const Tensor& images, int64_t rows, int64_t cols,
                      PixelRange range = PixelRange::ZeroToOne);

struct ScatterOptions {
  // The fixed axis limits (the same for every frame of a run, so frames compare). Points
  // outside them are not drawn.
  double x_min = -1, x_max = 1, y_min = -1, y_max = 1;
  int64_t width = 512, height = 512;  // pixels
  int64_t point_radius = 1;           // each point is a (2r+1) x (2r+1) square
};

// The scatter-plot colours: matplotlib's first two (tab:blue, tab:orange).
inline constexpr uint8_t kRealPointColour[3] = {31, 119, 180};
inline constexpr uint8_t kGeneratedPointColour[3] = {255, 127, 14};

// Draws `real` (blue) then `generated` (orange, on top) 2-D points, each [N, 2] float (either may
// be undefined or empty), on white with light-grey axes through 0. x grows to the right and y
// upwards: (x, y) lands on column round((x - x_min) / (x_max - x_min) * (width - 1)) and row
// round((y_max - y) / (y_max - y_min) * (height - 1)).
void write_scatter_png(const std::string& path, const Tensor& real, const Tensor& generated,
                       const ScatterOptions& options = {});

}  // namespace minidl::data
