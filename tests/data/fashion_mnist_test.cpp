#include "data/fashion_mnist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "tensor/tensor.h"
#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    had_old_ = std::getenv(name) != nullptr;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_old_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_old_ = false;
};

std::vector<uint8_t> idx_header(uint8_t ndim, std::vector<uint32_t> dims) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, ndim};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(uint8_t(d >> shift));
  }
  return bytes;
}

// A tiny MNIST-style directory: 3 images of 2x2 with the given pixels and labels.
void write_tiny_split(const TempDir& dir, const std::string& prefix, std::vector<uint8_t> pixels,
                      std::vector<uint8_t> labels, bool compressed) {
  std::vector<uint8_t> images = idx_header(3, {uint32_t(labels.size()), 2, 2});
  images.insert(images.end(), pixels.begin(), pixels.end());
  std::vector<uint8_t> label_file = idx_header(1, {uint32_t(labels.size())});
  label_file.insert(label_file.end(), labels.begin(), labels.end());
  if (compressed) {
    write_gzip(dir / (prefix + "-images-idx3-ubyte.gz"), images);
    write_gzip(dir / (prefix + "-labels-idx1-ubyte.gz"), label_file);
  } else {
    write_bytes(dir / (prefix + "-images-idx3-ubyte"), images);
    write_bytes(dir / (prefix + "-labels-idx1-ubyte"), label_file);
  }
}

const std::vector<uint8_t> kTinyPixels = {0, 1, 127, 128, 254, 255, 0, 0, 10, 20, 30, 40};

bool fashion_mnist_installed() {
  return std::filesystem::exists(std::string(kFashionMnistDefaultDir) +
                                 "/train-images-idx3-ubyte.gz");
}

}  // namespace

TEST(FashionMnist, DirectoryResolution) {
  ScopedEnv env("MINIDL_FASHION_MNIST_DIR", nullptr);
  EXPECT_EQ(fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(fashion_mnist_dir("/flag/dir"), "/flag/dir");
  ScopedEnv env2("MINIDL_FASHION_MNIST_DIR", "/env/dir");
  EXPECT_EQ(fashion_mnist_dir(), "/env/dir");
  EXPECT_EQ(fashion_mnist_dir("/flag/dir"), "/flag/dir");  // the flag wins
  ScopedEnv mnist("MINIDL_MNIST_DIR", "/mnist");
  EXPECT_EQ(mnist_dir(), "/mnist");
}

TEST(FashionMnist, MissingDirectoryGivesTheFix) {
  EXPECT_EQ(error_message([] { load_fashion_mnist(Split::Train, "/no/such/dir"); }),
            "fashion_mnist: /no/such/dir: no such directory; install it with `apt-get install -y "
            "dataset-fashion-mnist`, or pass --data-dir DIR (or set MINIDL_FASHION_MNIST_DIR)");
  TempDir dir;  // exists, but empty
  EXPECT_THAT(error_message([&] { load_fashion_mnist(Split::Test, dir.str()); }),
              HasSubstr(": neither t10k-images-idx3-ubyte.gz nor t10k-images-idx3-ubyte is there; "
                        "install it with `apt-get install -y dataset-fashion-mnist`"));
  ScopedEnv env("MINIDL_MNIST_DIR", nullptr);
  EXPECT_THAT(error_message([] { load_mnist(Split::Train); }),
              HasSubstr("mnist: no MNIST directory given: download the four IDX files"));
}

TEST(FashionMnist, LoadsTinyDirectoryWithBothRanges) {
  TempDir dir;
  write_tiny_split(dir, "train", kTinyPixels, {9, 0, 3}, /*compressed=*/true);
  LabelledImages unit = load_fashion_mnist(Split::Train, dir.str());
  EXPECT_EQ(unit.size(), 3);
  EXPECT_EQ(unit.height, 2);
  EXPECT_EQ(unit.width, 2);
  EXPECT_EQ(unit.images.shape(), (Shape{3, 4}));
  EXPECT_EQ(unit.images.dtype(), DType::Float32);
  EXPECT_EQ(unit.labels.dtype(), DType::Int64);
  EXPECT_EQ(unit.labels.to_vector<int64_t>(), (std::vector<int64_t>{9, 0, 3}));
  EXPECT_EQ(unit.class_names[9], "Ankle boot");
  // Expected values from PyTorch: torch.tensor([0, 1, 127, 128, 254, 255], dtype=torch.uint8)
  // .float() / 255, and (that - 0.5) / 0.5 (ToTensor then Normalize(0.5, 0.5)).
  const std::vector<float> first = unit.images.to_vector<float>();
  EXPECT_EQ(std::vector<float>(first.begin(), first.begin() + 6),
            (std::vector<float>{0.0f, 0.003921568859368563f, 0.49803921580314636f,
                                0.501960813999176f, 0.9960784316062927f, 1.0f}));
  LabelledImages symmetric = load_fashion_mnist(Split::Train, dir.str(), PixelRange::MinusOneToOne);
  const std::vector<float> second = symmetric.images.to_vector<float>();
  EXPECT_EQ(std::vector<float>(second.begin(), second.begin() + 6),
            (std::vector<float>{-1.0f, -0.9921568632125854f, -0.003921568393707275f,
                                0.003921627998352051f, 0.9921568632125854f, 1.0f}));
  EXPECT_EQ(as_image_batch(unit.images, 1, 2, 2).shape(), (Shape{3, 1, 2, 2}));
  EXPECT_TRUE(as_image_batch(unit.images, 1, 2, 2).shares_storage_with(unit.images));
}

TEST(FashionMnist, MnistReadsUncompressedFilesThroughTheEnvironment) {
  TempDir dir;
  write_tiny_split(dir, "t10k", kTinyPixels, {1, 2, 3}, /*compressed=*/false);
  ScopedEnv env("MINIDL_MNIST_DIR", dir.str().c_str());
  LabelledImages digits = load_mnist(Split::Test);
  EXPECT_EQ(digits.labels.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(digits.class_names.front(), "0");
}

TEST(FashionMnist, RejectsInconsistentFiles) {
  TempDir dir;
  write_tiny_split(dir, "train", kTinyPixels, {1, 12, 3}, true);
  EXPECT_THAT(
      error_message([&] { load_fashion_mnist(Split::Train, dir.str()); }),
      HasSubstr("train-labels-idx1-ubyte.gz: label 12 of image 1 is not a class index (0-9)"));
  TempDir other;
  write_tiny_split(other, "train", kTinyPixels, {1, 2, 3}, true);
  write_gzip(other / "train-labels-idx1-ubyte.gz",
             std::vector<uint8_t>{0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
  EXPECT_THAT(error_message([&] { load_fashion_mnist(Split::Train, other.str()); }),
              HasSubstr("holds 3 images but"));
  EXPECT_THAT(error_message([&] { load_fashion_mnist(Split::Train, other.str()); }),
              HasSubstr("holds 2 labels"));
}

// The headers are compared before either body is decompressed: labels that claim 4 GiB are
// refused at once, and a corrupt body behind a mismatched header is never reached.
TEST(FashionMnist, HeadersAreComparedBeforeTheBodiesAreDecompressed) {
  TempDir dir;
  write_tiny_split(dir, "train", kTinyPixels, {1, 2, 3}, true);
  write_gzip(dir / "train-labels-idx1-ubyte.gz",
             std::vector<uint8_t>{0, 0, 8, 1, 0, 0, 0, 200, 1, 2});  // truncated: 200 declared
  EXPECT_THAT(error_message([&] { load_fashion_mnist(Split::Train, dir.str()); }),
              HasSubstr("holds 3 images but " + (dir / "train-labels-idx1-ubyte.gz") +
                        " holds 200 labels"));
  write_gzip(dir / "train-labels-idx1-ubyte.gz",
             std::vector<uint8_t>{0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 1, 1, 2, 3});
  EXPECT_THAT(error_message([&] { load_fashion_mnist(Split::Train, dir.str()); }),
              HasSubstr("expected ubyte labels [N], the header declares ubyte [3, 1]"));
}

// A forged header declaring 60,000 images of 180x180 (1.9 GB once decompressed) is refused by
// the image size the program expects, from the header alone: the body is never decompressed (it
// is not even there).
TEST(FashionMnist, TheDeclaredImageSizeIsCheckedBeforeTheBody) {
  TempDir dir;
  write_gzip(dir / "train-images-idx3-ubyte.gz", idx_header(3, {60000, 180, 180}));
  std::vector<uint8_t> labels = idx_header(1, {60000});
  labels.resize(labels.size() + 60000, 1);
  write_gzip(dir / "train-labels-idx1-ubyte.gz", labels);
  EXPECT_THAT(error_message([&] {
                load_fashion_mnist(Split::Train, dir.str(),
                                   {.limit = 64, .height = 28, .width = 28});
              }),
              HasSubstr("train-images-idx3-ubyte.gz: the header declares images of 180x180 "
                        "pixels; this program takes 28x28"));
}

// --limit bounds what is read: only the first `limit` images and labels are decompressed, so a
// file whose body ends (or turns to garbage) after them still gives those images.
TEST(FashionMnist, ALimitReadsOnlyTheFirstImages) {
  for (bool compressed : {true, false}) {
    TempDir dir;
    // Declares 1000 images and labels, holds 3 of each.
    std::vector<uint8_t> images = idx_header(3, {1000, 2, 2});
    images.insert(images.end(), kTinyPixels.begin(), kTinyPixels.end());
    std::vector<uint8_t> labels = idx_header(1, {1000});
    labels.insert(labels.end(), {1, 2, 3});
    if (compressed) {
      write_gzip(dir / "train-images-idx3-ubyte.gz", images);
      write_gzip(dir / "train-labels-idx1-ubyte.gz", labels);
    } else {
      write_bytes(dir / "train-images-idx3-ubyte", images);
      write_bytes(dir / "train-labels-idx1-ubyte", labels);
    }
    const LabelledImages two = load_fashion_mnist(Split::Train, dir.str(), {.limit = 2});
    EXPECT_EQ(two.images.shape(), (Shape{2, 4}));
    EXPECT_EQ(two.labels.to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
    EXPECT_FLOAT_EQ(two.images.to_vector<float>()[4], 254.0f / 255.0f);
    // Past what the file holds: a truncated file, as without a limit.
    EXPECT_THAT(error_message([&] { load_fashion_mnist(Split::Train, dir.str(), {.limit = 5}); }),
                HasSubstr("truncated"));
  }
}

// The real data set from Debian's dataset-fashion-mnist. Required in CI (CI=true), skipped
// elsewhere when the package is not installed. Expected figures from NumPy reading the same
// files (np.frombuffer(gzip.open(f).read(), np.uint8, offset=16)).
TEST(FashionMnist, RealFiles) {
  const char* ci = std::getenv("CI");
  if (!fashion_mnist_installed()) {
    if (ci != nullptr && std::strcmp(ci, "true") == 0) {
      FAIL() << "CI=true but Fashion-MNIST is not installed: apt-get install -y "
                "dataset-fashion-mnist";
    }
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  for (Split split : {Split::Train, Split::Test}) {
    const bool train = split == Split::Train;
    LabelledImages set = load_fashion_mnist(split, kFashionMnistDefaultDir);
    const int64_t n = train ? 60000 : 10000;
    EXPECT_EQ(set.size(), n);
    EXPECT_EQ(set.height, 28);
    EXPECT_EQ(set.width, 28);
    EXPECT_EQ(set.images.shape(), (Shape{n, 784}));
    const std::vector<int64_t> labels = set.labels.to_vector<int64_t>();
    std::vector<int64_t> histogram(10, 0);
    for (int64_t label : labels) histogram[size_t(label)] += 1;
    EXPECT_EQ(histogram, std::vector<int64_t>(10, n / 10));
    EXPECT_EQ(labels[0], 9);  // both splits start with an ankle boot
    EXPECT_EQ(labels[1], train ? 0 : 2);
    // Sums of the float32 pixels in float64, from NumPy: (bytes.astype(np.float32) / 255)
    // .astype(np.float64).sum(), over every image and over the first one. The tolerance covers
    // summation order only.
    const float* pixels = set.images.data<float>();
    double total = 0, compensation = 0, first = 0;  // Neumaier's compensated sum: 47M terms
    float low = 1, high = 0;
    for (int64_t i = 0; i < set.images.numel(); ++i) {
      const double next = total + pixels[i];
      compensation +=
          std::abs(total) >= pixels[i] ? (total - next) + pixels[i] : (pixels[i] - next) + total;
      total = next;
      if (i < 784) first += pixels[i];
      low = std::min(low, pixels[i]);
      high = std::max(high, pixels[i]);
    }
    total += compensation;
    EXPECT_NEAR(total, train ? 13455349.927203527 : 2248898.4019832574, 1e-6);
    EXPECT_NEAR(first, train ? 299.0078472062014 : 131.20000365097076, 1e-9);
    EXPECT_EQ(low, 0.0f);
    EXPECT_EQ(high, 1.0f);
  }
}
