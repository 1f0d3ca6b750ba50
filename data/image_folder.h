// A data set of image files under one folder, decoded on demand (on the DataLoader's background
// thread). With labels, as torchvision's ImageFolder: each first-level subfolder is a class,
// named by the folder and numbered in sorted order, and holds that class's images (at any
// depth):
//   root/cat/001.png  root/cat/more/002.jpg  root/dog/003.bmp   -> classes {cat: 0, dog: 1}
// Without labels, every image anywhere under the root is a sample.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/image_decode.h"

namespace minidl::data {

struct ImageFolderOptions {
  // How each image is decoded. height and width are required (every sample must have the same
  // shape to be batched); max_values bounds each file's declared size.
  ImageOptions image{};
  bool labelled = true;  // classes from first-level subfolders; false: no labels
};

class ImageFolder : public Dataset {
 public:
  // Lists the image files (.png .jpg .jpeg .bmp .gif .tga, any letter case) in sorted path
  // order; nothing is decoded yet.
  ImageFolder(const std::string& root, ImageFolderOptions options);

  int64_t size() const override { return int64_t(files_.size()); }
  // inputs: float32 [B, channels, height, width]; labels: int64 [B] when labelled.
  Batch get_batch(std::span<const int64_t> indices) const override;

  const std::vector<std::string>& files() const { return files_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  const std::vector<int64_t>& labels() const { return labels_; }  // empty when unlabelled

 private:
  ImageFolderOptions options_;
  std::vector<std::string> files_;
  std::vector<int64_t> labels_;
  std::vector<std::string> class_names_;
};

}  // namespace minidl::data
