#include "data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>

namespace minidl::data {

namespace {

namespace fs = std::filesystem;

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"}) {
    if (ext == known) return true;
  }
  return false;
}

}  // namespace

ImageFolder::ImageFolder(const std::string& root, ImageFolderOptions options) : options_(options) {
  MINIDL_CHECK(options_.image.height > 0 && options_.image.width > 0,
               "image_folder: " << root << ": give the image size to resize to (height and "
                                << "width), got " << options_.image.height << "x"
                                << options_.image.width);
  std::error_code ec;
  MINIDL_CHECK(fs::is_directory(root, ec), "image_folder: " << root << ": no such directory");
  // "dir/" and "dir" must give the same relative paths (and so the same class names).
  fs::path root_path = fs::path(root).lexically_normal();
  if (!root_path.has_filename()) root_path = root_path.parent_path();

  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(root_path, fs::directory_options::skip_permission_denied, ec);
  MINIDL_CHECK(!ec, "image_folder: " << root << ": cannot list: " << ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    MINIDL_CHECK(!ec, "image_folder: " << root << ": cannot list: " << ec.message());
    if (it->is_regular_file(ec) && is_image_file(it->path())) found.push_back(it->path());
  }
  // Sorted, so that sample i is the same file on every machine (directory order is arbitrary).
  std::sort(found.begin(), found.end());
  MINIDL_CHECK(!found.empty(), "image_folder: " << root
                                                << ": no image files (.png .jpg .jpeg .bmp .gif "
                                                   ".tga) under it");

  std::map<std::string, int64_t> class_index;
  std::vector<std::string> class_of_file;
  for (const fs::path& path : found) {
    files_.push_back(path.string());
    if (!options_.labelled) continue;
    const fs::path relative = path.lexically_relative(root_path);
    MINIDL_CHECK(std::distance(relative.begin(), relative.end()) >= 2,
                 "image_folder: " << path.string()
                                  << " is not inside a class subfolder (labelled folders need "
                                     "root/<class>/<image>; set labelled = false to load "
                                     "images without labels)");
    class_of_file.push_back(relative.begin()->string());
    class_index.emplace(class_of_file.back(), 0);
  }
  if (options_.labelled) {
    for (auto& [name, index] : class_index) {  // std::map iterates in sorted name order
      index = int64_t(class_names_.size());
      class_names_.push_back(name);
    }
    for (const std::string& name : class_of_file) labels_.push_back(class_index.at(name));
  }
}

Batch ImageFolder::get_batch(std::span<const int64_t> indices) const {
  const ImageOptions& image = options_.image;
  const int64_t count = int64_t(indices.size());
  const int64_t sample_values = image.channels * image.height * image.width;
  Batch batch;
  batch.indices.assign(indices.begin(), indices.end());
  batch.inputs = Tensor::empty({count, image.channels, image.height, image.width});
  if (options_.labelled) batch.labels = Tensor::empty({count}, DType::Int64);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t index = indices[size_t(i)];
    MINIDL_CHECK(index >= 0 && index < size(), "image_folder: sample index "
                                                   << index << " is out of range for " << size()
                                                   << " images");
    const Tensor decoded = read_image(files_[size_t(index)], image);
    std::memcpy(batch.inputs.data<float>() + i * sample_values, decoded.data<float>(),
                size_t(sample_values) * sizeof(float));
    if (options_.labelled) batch.labels.data<int64_t>()[i] = labels_[size_t(index)];
  }
  return batch;
}

}  // namespace minidl::data
