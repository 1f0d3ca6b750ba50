// minidl-info: information-theory measurements of images from the command line, built on
// metrics/. Each subcommand turns images into histograms of pixel intensities and reports one
// quantity about them:
//
//   minidl-info entropy IMAGE...      how spread out each image's intensities are (bits)
//   minidl-info kl A B                KL(A || B) between the intensity histograms of A and B
//   minidl-info js A B                Jensen-Shannon divergence, the symmetric, bounded cousin
//   minidl-info mi A B                mutual information of two same-sized images, pixel by pixel
//
// A and B of kl and js are image files or folders of images (every image under a folder, pooled
// into one histogram). Images are read as grayscale in [0, 1] (colour images through stb's luma
// weights) with data/'s size limits. Every bad input ends the program with one line,
// "minidl-info: <what is wrong, naming the file>", and exit code 1.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "data/image_decode.h"
#include "metrics/metrics.h"

namespace {

using namespace minidl;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Reading images
// ---------------------------------------------------------------------------------------------

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"}) {
    if (ext == known) return true;
  }
  return false;
}

// The image files a command-line argument stands for: the file itself, or every image anywhere
// under a folder, in sorted order (so that output never depends on directory order).
std::vector<std::string> image_files(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {path};  // read_image reports a missing file
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  MINIDL_CHECK(!ec, path << ": cannot list the folder: " << ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    MINIDL_CHECK(!ec, path << ": cannot list the folder: " << ec.message());
    if (it->is_regular_file(ec) && has_image_extension(it->path())) {
      files.push_back(it->path().string());
    }
  }
  MINIDL_CHECK(!files.empty(),
               path << ": no image files (.png .jpg .jpeg .bmp .gif .tga) in this folder");
  std::sort(files.begin(), files.end());
  return files;
}

// One image as float32 [height, width] with intensities in [0, 1].
Tensor read_grayscale(const std::string& file) {
  return data::read_image(file, {.channels = 1}).select(0, 0);
}

// The intensity histogram of an image file, or the sum of the histograms of every image in a
// folder: counts, so each pixel weighs the same whatever image it is in.
Tensor intensity_histogram(const std::string& path, const metrics::Bins& bins) {
  Tensor counts = zeros({bins.count}, DType::Float64);
  for (const std::string& file : image_files(path)) {
    counts = counts + metrics::histogram(read_grayscale(file), bins);
  }
  return counts;
}

double occupied_bins(const Tensor& counts) { return sum(gt(counts, 0.0)).item(); }

const char* unit_name(metrics::Unit unit) { return unit == metrics::Unit::Bits ? "bits" : "nats"; }

// ---------------------------------------------------------------------------------------------
// The subcommands
// ---------------------------------------------------------------------------------------------

// H(P) of each image's intensity histogram. A constant image has entropy 0; the maximum,
// log2(bins) bits, is reached when every bin holds the same number of pixels.
void run_entropy(const std::vector<std::string>& images, const metrics::Bins& bins,
                 metrics::Unit unit) {
  const double maximum = metrics::from_nats(std::log(static_cast<double>(bins.count)), unit);
  for (const std::string& file : images) {
    const Tensor image = read_grayscale(file);
    const double h = metrics::entropy(metrics::histogram(image, bins), unit);
    std::printf("%s: entropy %.6g %s (at most %.6g for %lld bins; %lld x %lld pixels)\n",
                file.c_str(), h, unit_name(unit), maximum, static_cast<long long>(bins.count),
                static_cast<long long>(image.size(0)), static_cast<long long>(image.size(1)));
  }
}

// KL(A || B): the extra code length, per pixel, of coding A's intensities with a code built for
// B's. Infinite when A has intensities B never has; --epsilon smooths both histograms (adds
// epsilon to every probability and renormalises) to get a finite number instead.
void run_kl(const std::string& a, const std::string& b, const metrics::Bins& bins, double epsilon,
            metrics::Unit unit) {
  const Tensor p = intensity_histogram(a, bins), q = intensity_histogram(b, bins);
  const double kl = metrics::kl_divergence(p, q, unit, epsilon);
  std::printf("KL(%s || %s) = %.6g %s\n", a.c_str(), b.c_str(), kl, unit_name(unit));
  if (std::isinf(kl)) {
    std::printf("(%s has intensities that %s never has; pass --epsilon, e.g. 1e-6, to smooth)\n",
                a.c_str(), b.c_str());
  }
}

// JS(A, B) = KL(A || M) / 2 + KL(B || M) / 2 with M the average histogram: symmetric, never
// infinite, at most 1 bit.
void run_js(const std::string& a, const std::string& b, const metrics::Bins& bins,
            metrics::Unit unit) {
  const Tensor p = intensity_histogram(a, bins), q = intensity_histogram(b, bins);
  std::printf("JS(%s, %s) = %.6g %s\n", a.c_str(), b.c_str(), metrics::js_divergence(p, q, unit),
              unit_name(unit));
}

// I(A; B) from the joint histogram of corresponding pixels: how much knowing a pixel's intensity
// in A tells about the same pixel in B. The similarity measure of multi-modal image
// registration: it is high for aligned images even when one's intensities are a scrambled
// function of the other's (an inverted image has I(A; B) = H(A)), where correlation would fail.
void run_mi(const std::string& a, const std::string& b, const metrics::Bins& bins,
            metrics::Unit unit) {
  const Tensor x = read_grayscale(a), y = read_grayscale(b);
  MINIDL_CHECK(x.shape() == y.shape(), "mi: " << a << " is " << x.size(0) << " x " << x.size(1)
                                              << " pixels but " << b << " is " << y.size(0) << " x "
                                              << y.size(1)
                                              << "; mutual information pairs pixels, so the "
                                                 "images must have the same size");
  const metrics::MutualInformation mi =
      metrics::mutual_information_summary(metrics::joint_histogram(x, y, bins, bins), unit);
  const char* u = unit_name(unit);
  std::printf("I(%s; %s) = %.6g %s\n", a.c_str(), b.c_str(), mi.mutual_information, u);
  std::printf("normalised MI 2I / (H(A) + H(B)) = %.6g\n", mi.normalized);
  std::printf("H(A) = %.6g %s, H(B) = %.6g %s, H(A, B) = %.6g %s, H(A | B) = %.6g %s\n",
              mi.entropy_x, u, mi.entropy_y, u, mi.joint_entropy, u, mi.conditional_entropy, u);

  // The plug-in estimate is biased upwards: for independent images whose intensities occupy Bx
  // and By bins, about (Bx - 1)(By - 1) / (2N) nats with N pixels (metrics/mutual_information.h).
  // That approximation needs many more pixels than Bx By; below that, the estimate is mostly bias.
  const double pixels = static_cast<double>(x.numel());
  const double bins_a = occupied_bins(metrics::histogram(x, bins));
  const double bins_b = occupied_bins(metrics::histogram(y, bins));
  const double bias = metrics::from_nats((bins_a - 1.0) * (bins_b - 1.0) / (2.0 * pixels), unit);
  if (bins_a * bins_b >= pixels) {
    std::printf(
        "note: the images occupy %.0f x %.0f intensity bins but have only %.0f pixels: "
        "this estimate is mostly bias; use fewer --bins\n",
        bins_a, bins_b, pixels);
  } else if (bias > 0.01 * mi.mutual_information) {
    std::printf(
        "note: independent images like these would still show of the order of %.3g %s "
        "(estimator bias)\n",
        bias, u);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "minidl-info: entropy, KL divergence, Jensen-Shannon divergence and mutual "
      "information of images' pixel intensities"};
  app.require_subcommand(1);

  // Options every subcommand shares.
  int64_t bins = 256;
  bool nats = false;
  auto add_common = [&](CLI::App* command) {
    command->add_option("--bins", bins, "histogram bins over the intensity range [0, 1]")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
        ->capture_default_str();
    command->add_flag("--nats", nats, "report natural-log units instead of bits");
  };

  std::vector<std::string> entropy_images;
  CLI::App* entropy = app.add_subcommand("entropy", "pixel-intensity entropy of each image");
  entropy->add_option("IMAGE", entropy_images, "image files")->required();
  add_common(entropy);

  std::string a, b;
  double epsilon = 0.0;
  CLI::App* kl = app.add_subcommand("kl", "KL(A || B) between intensity histograms");
  kl->add_option("A", a, "image file or folder of images")->required();
  kl->add_option("B", b, "image file or folder of images")->required();
  kl->add_option("--epsilon", epsilon,
                 "add this probability to every bin of both histograms and renormalise, so "
                 "that KL stays finite")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_common(kl);

  CLI::App* js = app.add_subcommand("js", "Jensen-Shannon divergence between intensity histograms");
  js->add_option("A", a, "image file or folder of images")->required();
  js->add_option("B", b, "image file or folder of images")->required();
  add_common(js);

  CLI::App* mi = app.add_subcommand("mi", "mutual information of two same-sized images");
  mi->add_option("A", a, "image file")->required();
  mi->add_option("B", b, "image file")->required();
  add_common(mi);

  CLI11_PARSE(app, argc, argv);

  const metrics::Bins histogram_bins{.count = bins, .low = 0.0, .high = 1.0};
  const metrics::Unit unit = nats ? metrics::Unit::Nats : metrics::Unit::Bits;
  try {
    if (*entropy) run_entropy(entropy_images, histogram_bins, unit);
    if (*kl) run_kl(a, b, histogram_bins, epsilon, unit);
    if (*js) run_js(a, b, histogram_bins, unit);
    if (*mi) run_mi(a, b, histogram_bins, unit);
  } catch (const std::exception& e) {  // minidl::Error, and the rare std::bad_alloc
    std::fprintf(stderr, "minidl-info: %s\n", e.what());
    return 1;
  }
  return 0;
}
