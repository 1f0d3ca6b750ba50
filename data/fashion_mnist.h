// Fashion-MNIST (Zalando's 28x28 grayscale clothing images, 10 classes) and the original MNIST
// digits, which share the IDX file layout and file names:
//   train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]   60,000 images
//   t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]    10,000 images
// Where the files are found: a directory passed in (a program's --data-dir flag) if not empty,
// else the environment variable MINIDL_FASHION_MNIST_DIR (MINIDL_MNIST_DIR for MNIST), else, for
// Fashion-MNIST, /usr/share/datasets/fashion-mnist, where Debian's dataset-fashion-mnist package
// installs them.
#pragma once

#include <string>
#include <vector>

#include "data/pixels.h"
#include "tensor/core.h"

namespace minidl::data {

inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

enum class Split { Train, Test };

struct LabelledImages {
  Tensor images;  // float32 [N, height * width]: one flattened image per row, pixels row-major
  Tensor labels;  // int64 [N], class indices in [0, class_names.size())
  int64_t height = 0;
  int64_t width = 0;
  std::vector<std::string> class_names;

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// The directory load_fashion_mnist reads: data_dir if not empty, else $MINIDL_FASHION_MNIST_DIR
// if set and not empty, else kFashionMnistDefaultDir.
std::string fashion_mnist_dir(const std::string& data_dir = "");
// The same for MNIST: data_dir, else $MINIDL_MNIST_DIR; there is no default (no Debian package).
std::string mnist_dir(const std::string& data_dir = "");

// Loads one split with pixels in `range`. A missing directory or file throws an error that
// says how to get the files (the apt package, or the flag / environment variable).
LabelledImages load_fashion_mnist(Split split, const std::string& data_dir = "",
                                  PixelRange range = PixelRange::ZeroToOne);
LabelledImages load_mnist(Split split, const std::string& data_dir = "",
                          PixelRange range = PixelRange::ZeroToOne);

// What a program expects of a split, checked against the files' headers before a body is
// decompressed: a forged header declaring 60,000 images of 180x180 is refused at once, not after
// decompressing 1.9 GB into memory.
struct IdxLoadOptions {
  PixelRange range = PixelRange::ZeroToOne;
  int64_t limit = 0;              // read only the first `limit` images and labels (0: all)
  int64_t height = 0, width = 0;  // the image size the program's models take (0: any)
};
LabelledImages load_fashion_mnist(Split split, const std::string& data_dir,
                                  const IdxLoadOptions& options);
LabelledImages load_mnist(Split split, const std::string& data_dir, const IdxLoadOptions& options);

// A view of flattened images [N, channels * height * width] as [N, channels, height, width].
Tensor as_image_batch(const Tensor& flat_images, int64_t channels, int64_t height, int64_t width);

}  // namespace minidl::data
