#include "data/fashion_mnist.h"

#include <cstdlib>
#include <filesystem>

#include "data/idx.h"
#include "data/read_file.h"

namespace minidl::data {

namespace {

namespace fs = std::filesystem;

// What differs between the two data sets: names, where to look, and how to fix a missing
// directory.
struct IdxDataSet {
  const char* op;
  const char* title;
  const char* env_var;
  const char* fix;
  std::vector<std::string> class_names;
};

const IdxDataSet& fashion_mnist_info() {
  static const IdxDataSet info{
      "fashion_mnist",
      "Fashion-MNIST",
      "MINIDL_FASHION_MNIST_DIR",
      "install it with `apt-get install -y dataset-fashion-mnist`, or pass --data-dir DIR "
      "(or set MINIDL_FASHION_MNIST_DIR)",
      // The label order of Zalando's README.
      {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
       "Ankle boot"}};
  return info;
}

const IdxDataSet& mnist_info() {
  static const IdxDataSet info{
      "mnist",
      "MNIST",
      "MINIDL_MNIST_DIR",
      "download the four IDX files (train-images-idx3-ubyte.gz, ...) into a directory and pass "
      "--data-dir DIR (or set MINIDL_MNIST_DIR)",
      {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}};
  return info;
}

std::string resolve_dir(const std::string& data_dir, const char* env_var,
                        const std::string& fallback) {
  if (!data_dir.empty()) return data_dir;
  const char* env = std::getenv(env_var);
  if (env != nullptr && *env != '\0') return env;
  return fallback;
}

// The compressed file if present, else the uncompressed one, else a one-line error with the fix.
std::string find_file(const IdxDataSet& info, const std::string& dir, const std::string& stem) {
  MINIDL_CHECK(!dir.empty(), info.op << ": no " << info.title << " directory given: " << info.fix);
  std::error_code ec;
  MINIDL_CHECK(fs::is_directory(dir, ec),
               info.op << ": " << dir << ": no such directory; " << info.fix);
  for (const std::string& name : {stem + ".gz", stem}) {
    const fs::path path = fs::path(dir) / name;
    if (fs::exists(path, ec)) return path.string();
  }
  MINIDL_FAIL(info.op << ": " << dir << ": neither " << stem << ".gz nor " << stem << " is there; "
                      << info.fix);
}

LabelledImages load(const IdxDataSet& info, const std::string& dir, Split split,
                    const IdxLoadOptions& options) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const std::string images_path = find_file(info, dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(info, dir, prefix + "-labels-idx1-ubyte");
  const std::vector<uint8_t> image_bytes = read_file(images_path, "read_idx");
  const std::vector<uint8_t> label_bytes = read_file(labels_path, "read_idx");
  // The headers against each other before either body is decompressed: a forged count costs
  // nothing but these few bytes.
  const IdxHeader image_header = decode_idx_header(image_bytes, images_path);
  const IdxHeader label_header = decode_idx_header(label_bytes, labels_path);
  MINIDL_CHECK(image_header.dtype == DType::UInt8 && image_header.shape.size() == 3,
               info.op << ": " << images_path << ": expected ubyte images [N, height, width], "
                       << "the header declares " << image_header.type_name << " "
                       << image_header.shape);
  MINIDL_CHECK(label_header.dtype == DType::UInt8 && label_header.shape.size() == 1,
               info.op << ": " << labels_path << ": expected ubyte labels [N], the header "
                       << "declares " << label_header.type_name << " " << label_header.shape);
  MINIDL_CHECK(image_header.shape[0] == label_header.shape[0],
               info.op << ": " << images_path << " holds " << image_header.shape[0]
                       << " images but " << labels_path << " holds " << label_header.shape[0]
                       << " labels");
  MINIDL_CHECK(options.height <= 0 || (image_header.shape[1] == options.height &&
                                       image_header.shape[2] == options.width),
               info.op << ": " << images_path << ": the header declares images of "
                       << image_header.shape[1] << "x" << image_header.shape[2]
                       << " pixels; this program takes " << options.height << "x" << options.width);
  const Tensor images = decode_idx_rows(image_bytes, images_path, options.limit);
  const Tensor labels = decode_idx_rows(label_bytes, labels_path, options.limit);

  const int64_t classes = int64_t(info.class_names.size());
  Tensor labels64 = Tensor::empty({labels.size(0)}, DType::Int64);
  const uint8_t* in = labels.data<uint8_t>();
  int64_t* out = labels64.data<int64_t>();
  for (int64_t i = 0; i < labels.size(0); ++i) {
    MINIDL_CHECK(in[i] < classes, info.op << ": " << labels_path << ": label " << int(in[i])
                                          << " of image " << i << " is not a class index (0-"
                                          << classes - 1 << ")");
    out[i] = in[i];
  }

  LabelledImages result;
  result.height = images.size(1);
  result.width = images.size(2);
  result.images =
      pixels_from_bytes(images, options.range).view({images.size(0), result.height * result.width});
  result.labels = labels64;
  result.class_names = info.class_names;
  return result;
}

}  // namespace

std::string fashion_mnist_dir(const std::string& data_dir) {
  return resolve_dir(data_dir, fashion_mnist_info().env_var, kFashionMnistDefaultDir);
}

std::string mnist_dir(const std::string& data_dir) {
  return resolve_dir(data_dir, mnist_info().env_var, "");
}

LabelledImages load_fashion_mnist(Split split, const std::string& data_dir, PixelRange range) {
  return load(fashion_mnist_info(), fashion_mnist_dir(data_dir), split, {.range = range});
}

LabelledImages load_mnist(Split split, const std::string& data_dir, PixelRange range) {
  return load(mnist_info(), mnist_dir(data_dir), split, {.range = range});
}

LabelledImages load_fashion_mnist(Split split, const std::string& data_dir,
                                  const IdxLoadOptions& options) {
  return load(fashion_mnist_info(), fashion_mnist_dir(data_dir), split, options);
}

LabelledImages load_mnist(Split split, const std::string& data_dir, const IdxLoadOptions& options) {
  return load(mnist_info(), mnist_dir(data_dir), split, options);
}

Tensor as_image_batch(const Tensor& flat_images, int64_t channels, int64_t height, int64_t width) {
  MINIDL_CHECK(flat_images.defined() && flat_images.dim() == 2 &&
                   flat_images.size(1) == channels * height * width,
               "as_image_batch: expected [N, " << channels * height * width << "] for " << channels
                                               << "x" << height << "x" << width << " images, got "
                                               << flat_images.shape());
  return flat_images.view({flat_images.size(0), channels, height, width});
}

}  // namespace minidl::data
