// minidl-info: information-theory measurements of images from the command line, built on
// metrics/. The first four subcommands turn images into histograms of pixel intensities and report
// one quantity about them; the fifth runs the GAN trainer's monitors on any generator's samples:
//
//   minidl-info entropy IMAGE...      how spread out each image's intensities are (bits)
//   minidl-info kl A B                KL(A || B) between the intensity histograms of A and B
//   minidl-info js A B                Jensen-Shannon divergence, the symmetric, bounded cousin
//                                     (both take --epsilon: additive smoothing of the histograms)
//   minidl-info mi A B                mutual information of two same-sized images, pixel by pixel
//   minidl-info score SAMPLES --classifier CKPT
//                                     a generator's scores, judged by a trained classifier
//
// A and B of kl and js are image files or folders of images (every image under a folder, pooled
// into one histogram). Images are read as grayscale in [0, 1] (colour images through stb's luma
// weights) with data/'s size limits. SAMPLES of score is a .npy file ([N, 784], [N, 28, 28] or
// [N, 1, 28, 28]; float in [0, 1] or uint8) or a folder of 28 x 28 images, so samples of any
// generator, PyTorch's included, are scored the same way. Every bad input ends the program with
// one line, "minidl-info: <what is wrong, naming the file>", and exit code 1 (a bad flag: CLI11's
// message, a hint, and a non-zero exit code).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/fashion_mnist.h"
#include "data/image_decode.h"
#include "data/npy.h"
#include "data/pixels.h"
#include "examples/classifier/classifier_model.h"
#include "examples/common/program.h"
#include "metrics/metrics.h"
#include "tensor/threading.h"

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
// infinite, at most 1 bit. It needs no smoothing; --epsilon smooths both histograms exactly as
// for kl, so that the two can be compared on the same smoothed histograms (it lowers JS).
void run_js(const std::string& a, const std::string& b, const metrics::Bins& bins, double epsilon,
            metrics::Unit unit) {
  const Tensor p = intensity_histogram(a, bins), q = intensity_histogram(b, bins);
  std::printf("JS(%s, %s) = %.6g %s\n", a.c_str(), b.c_str(),
              metrics::js_divergence(p, q, unit, epsilon), unit_name(unit));
}

// I(A; B) from the joint histogram of corresponding pixels: how much knowing a pixel's intensity
// in A tells about the same pixel in B. The similarity measure of multi-modal image
// registration: it is high for aligned images even when one's intensities are a scrambled
// function of the other's (an inverted image has I(A; B) = H(A)), where correlation would fail.
// The joint histogram holds float64 counts for every pair of bins: --bins above this is refused
// as a flag (exit code 2). Within it the histogram is bounded by the data too (occupied_bins).
constexpr int64_t kMaxMiBins = 8192;

// Each pixel's bin, renumbered over the bins the image occupies (k + 0.5 for the k-th occupied
// bin, in bin order), and how many it occupies. Mutual information and the entropies sum over
// non-empty cells only, so the joint histogram of these is exact with at most as many rows as the
// image has distinct intensities: two 28 x 28 images with --bins 8192 need 784 x 784 cells, not
// 8192 x 8192 (512 MiB).
std::pair<Tensor, int64_t> occupied_bin_values(const Tensor& image, const metrics::Bins& bins) {
  const Tensor values = image.to(DType::Float64).contiguous();
  const double* v = values.data<double>();
  std::vector<int64_t> index(size_t(values.numel()));
  for (size_t i = 0; i < index.size(); ++i) index[i] = metrics::bin_index(v[i], bins);
  std::vector<int64_t> occupied = index;
  std::sort(occupied.begin(), occupied.end());
  occupied.erase(std::unique(occupied.begin(), occupied.end()), occupied.end());
  Tensor out = Tensor::empty(values.shape(), DType::Float64);
  double* o = out.data<double>();
  for (size_t i = 0; i < index.size(); ++i) {
    o[i] = double(std::lower_bound(occupied.begin(), occupied.end(), index[i]) - occupied.begin()) +
           0.5;
  }
  return {out, int64_t(occupied.size())};
}

void run_mi(const std::string& a, const std::string& b, const metrics::Bins& bins,
            metrics::Unit unit) {
  const Tensor x = read_grayscale(a), y = read_grayscale(b);
  MINIDL_CHECK(x.shape() == y.shape(), "mi: " << a << " is " << x.size(0) << " x " << x.size(1)
                                              << " pixels but " << b << " is " << y.size(0) << " x "
                                              << y.size(1)
                                              << "; mutual information pairs pixels, so the "
                                                 "images must have the same size");
  const auto [xs, x_bins] = occupied_bin_values(x, bins);
  const auto [ys, y_bins] = occupied_bin_values(y, bins);
  const metrics::MutualInformation mi = metrics::mutual_information_summary(
      metrics::joint_histogram(xs, ys, {.count = x_bins, .low = 0, .high = double(x_bins)},
                               {.count = y_bins, .low = 0, .high = double(y_bins)}),
      unit);
  const char* u = unit_name(unit);
  std::printf("I(%s; %s) = %.6g %s\n", a.c_str(), b.c_str(), mi.mutual_information, u);
  std::printf("normalised MI 2I / (H(A) + H(B)) = %.6g\n", mi.normalized);
  std::printf("H(A) = %.6g %s, H(B) = %.6g %s, H(A, B) = %.6g %s, H(A | B) = %.6g %s\n",
              mi.entropy_x, u, mi.entropy_y, u, mi.joint_entropy, u, mi.conditional_entropy, u);

  // The plug-in estimate is biased upwards: for independent images whose intensities occupy Bx
  // and By bins, about (Bx - 1)(By - 1) / (2N) nats with N pixels (metrics/mutual_information.h).
  // That approximation needs many more pixels than Bx By; below that, the estimate is mostly bias.
  const double pixels = static_cast<double>(x.numel());
  const double bins_a = double(x_bins), bins_b = double(y_bins);
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

// ---------------------------------------------------------------------------------------------
// Scoring a generator
// ---------------------------------------------------------------------------------------------

// A generator's samples as float32 [N, pixels] in [0, 1], the classifier's input layout.
Tensor read_samples(const std::string& path, int64_t pixels) {
  std::error_code ec;
  Tensor images;
  if (fs::is_directory(path, ec)) {
    std::vector<Tensor> rows;
    for (const std::string& file : image_files(path)) {
      const Tensor image = read_grayscale(file);
      MINIDL_CHECK(image.numel() == pixels, "score: " << file << " is " << image.size(0) << " x "
                                                      << image.size(1) << " pixels; the classifier "
                                                      << "takes " << pixels << " pixels per image");
      rows.push_back(image.reshape({pixels}));
    }
    images = stack(rows, 0);
  } else {
    MINIDL_CHECK(fs::path(path).extension() == ".npy",
                 "score: " << path << ": give a .npy file or a folder of images");
    images = data::read_npy(path);
    MINIDL_CHECK(
        images.dim() >= 2 && images.size(0) >= 1 && images.numel() / images.size(0) == pixels,
        "score: " << path << ": shape " << images.shape() << " is not a batch of " << pixels
                  << "-pixel images");
    images = images.dtype() == DType::UInt8
                 ? data::pixels_from_bytes(images, data::PixelRange::ZeroToOne)
                 : images.to(DType::Float32);
    images = images.reshape({images.size(0), pixels});
  }
  // NaN first: min and max of a tensor holding one are NaN, which says nothing about the range.
  images = images.contiguous();
  const float* p = images.data<float>();
  int64_t nans = 0, first = -1;
  for (int64_t i = 0; i < images.numel(); ++i) {
    if (!std::isnan(p[i])) continue;
    if (nans++ == 0) first = i;
  }
  if (nans > 0) {
    MINIDL_FAIL("score: " << path << ": " << nans << " pixel value(s) are NaN, the first in image "
                          << first / pixels << " at pixel " << first % pixels
                          << "; samples must be numbers in [0, 1]");
  }
  const double low = min(images).item(), high = max(images).item();
  MINIDL_CHECK(low >= 0.0 && high <= 1.0,
               "score: " << path << ": pixel values span [" << low << ", " << high
                         << "], not [0, 1] (map tanh outputs with (x + 1) / 2)");
  return images;
}

void print_scores(const std::string& what, int64_t count, const metrics::GeneratorScores& s,
                  const std::string& frechet_label) {
  std::printf("%s: %lld images\n", what.c_str(), static_cast<long long>(count));
  std::printf("  predicted classes:");
  for (double c : s.coverage.histogram.to_vector<double>()) std::printf(" %.0f", c);
  std::printf("\n  classes with >= 1%% of the images: %lld of %lld\n",
              static_cast<long long>(s.coverage.classes_covered),
              static_cast<long long>(s.coverage.histogram.numel()));
  std::printf("  KL(class histogram || uniform) = %.4f nats (0 = balanced, %.4f = one class)\n",
              s.coverage.kl_from_uniform,
              std::log(static_cast<double>(s.coverage.histogram.numel())));
  std::printf("  Inception Score exp(E KL(p(y|x) || p(y))) = %.4f (1 to %lld, higher is better)\n",
              s.inception_score, static_cast<long long>(s.coverage.histogram.numel()));
  std::printf("  Frechet distance %s = %.4f (lower is better)\n", frechet_label.c_str(),
              s.frechet_distance);
}

// The monitors of the GAN trainer, on any samples: the classifier's predicted-class histogram
// (mode collapse shows as a high KL from uniform and few classes covered), the Inception-Score
// analogue, and the Fréchet distance between the classifier's features of the samples and of the
// Fashion-MNIST test set. With --reference test, the test set itself is scored too, as the
// ceiling a generator can reach (its Fréchet distance is measured from 10,000 training images,
// since the test set's distance to itself is 0 by construction).
void run_score(const std::string& samples_path, const std::string& classifier_path,
               const std::string& reference, const std::string& data_dir) {
  const std::shared_ptr<examples::Classifier> classifier =
      examples::load_classifier(classifier_path);
  const metrics::Evaluator evaluator = examples::make_evaluator(classifier);
  const Tensor samples = read_samples(samples_path, classifier->shape().input);

  const data::LabelledImages test = data::load_fashion_mnist(data::Split::Test, data_dir);
  MINIDL_CHECK(test.images.size(1) == classifier->shape().input,
               "score: " << classifier_path << " takes " << classifier->shape().input
                         << " pixels per image but the test images have " << test.images.size(1));
  const metrics::Evaluation real = evaluator.evaluate(test.images);
  const metrics::GaussianFit real_features = metrics::fit_gaussian(real.features);

  print_scores(samples_path, samples.size(0), evaluator.score(samples, real_features),
               "to the test set's features");
  if (reference == "test") {
    const data::LabelledImages train = data::load_fashion_mnist(data::Split::Train, data_dir);
    const Tensor train_images = train.images.narrow(0, 0, std::min<int64_t>(10000, train.size()));
    metrics::GeneratorScores ceiling =
        metrics::generator_scores(real.probabilities, real.features, real_features);
    ceiling.frechet_distance =
        metrics::frechet_distance(evaluator.feature_statistics(train_images), real_features);
    print_scores("Fashion-MNIST test set (the ceiling)", test.size(), ceiling,
                 "of 10000 training images to the test set's features");
  }
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  CLI::App app{
      "Entropy, KL divergence, Jensen-Shannon divergence and mutual information of images' pixel "
      "intensities, and the scores of an image generator.",
      "minidl-info"};
  app.require_subcommand(1);

  // Options the histogram subcommands share.
  int64_t bins = 256;
  bool nats = false;
  auto add_histogram_options = [&](CLI::App* command) {
    command->add_option("--bins", bins, "histogram bins over the intensity range [0, 1]")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
        ->capture_default_str();
    command->add_flag("--nats", nats, "report natural-log units instead of bits");
  };

  std::vector<std::string> entropy_images;
  CLI::App* entropy = app.add_subcommand("entropy", "pixel-intensity entropy of each image");
  entropy->add_option("IMAGE", entropy_images, "image files")->required();
  add_histogram_options(entropy);

  // kl and js take the same smoothing: epsilon added to every probability of both normalised
  // histograms, which are then renormalised (metrics/distribution.h).
  std::string a, b;
  double epsilon = 0.0;
  auto add_epsilon_option = [&](CLI::App* command, const std::string& why) {
    command
        ->add_option("--epsilon", epsilon,
                     "add this probability to every bin of both histograms and renormalise" + why)
        ->check(examples::finite_in(0, 1))
        ->capture_default_str();
  };

  CLI::App* kl = app.add_subcommand("kl", "KL(A || B) between intensity histograms");
  kl->add_option("A", a, "image file or folder of images")->required();
  kl->add_option("B", b, "image file or folder of images")->required();
  add_epsilon_option(kl, ", so that KL stays finite");
  add_histogram_options(kl);

  CLI::App* js = app.add_subcommand("js", "Jensen-Shannon divergence between intensity histograms");
  js->add_option("A", a, "image file or folder of images")->required();
  js->add_option("B", b, "image file or folder of images")->required();
  add_epsilon_option(js, " (as kl does; JS is finite without it, and smoothing lowers it)");
  add_histogram_options(js);

  CLI::App* mi = app.add_subcommand("mi", "mutual information of two same-sized images");
  mi->add_option("A", a, "image file")->required();
  mi->add_option("B", b, "image file")->required();
  add_histogram_options(mi);
  mi->get_option("--bins")->check(CLI::Validator(
      [](std::string& text) -> std::string {
        const int64_t value = std::strtoll(text.c_str(), nullptr, 10);
        if (value <= kMaxMiBins) return "";
        return "Value " + text + " is above " + std::to_string(kMaxMiBins) +
               ", the most mi takes (its joint histogram has up to bins x bins cells)";
      },
      "at most " + std::to_string(kMaxMiBins) + " for mi"));

  std::string samples, classifier, reference, data_dir;
  CLI::App* score = app.add_subcommand("score",
                                       "class coverage, Inception Score and Frechet "
                                       "distance of a generator's samples");
  score->add_option("SAMPLES", samples, ".npy file or folder of 28 x 28 images, pixels in [0, 1]")
      ->required();
  score
      ->add_option("--classifier", classifier,
                   "evaluator checkpoint saved by the classifier program "
                   "(runs/classifier/classifier.safetensors)")
      ->required();
  score->add_option("--reference", reference, "also score the real test set, as the ceiling")
      ->check(CLI::IsMember({"test"}));
  score->add_option("--data-dir", data_dir,
                    "Fashion-MNIST directory (default: /usr/share/datasets/fashion-mnist or "
                    "$MINIDL_FASHION_MNIST_DIR)");

  if (int code = examples::parse_flags(app, argc, argv); code >= 0) return code;

  return examples::run_program("minidl-info", [&] {
    const metrics::Bins histogram_bins{.count = bins, .low = 0.0, .high = 1.0};
    const metrics::Unit unit = nats ? metrics::Unit::Nats : metrics::Unit::Bits;
    if (*entropy) run_entropy(entropy_images, histogram_bins, unit);
    if (*kl) run_kl(a, b, histogram_bins, epsilon, unit);
    if (*js) run_js(a, b, histogram_bins, epsilon, unit);
    if (*mi) run_mi(a, b, histogram_bins, unit);
    if (*score) run_score(samples, classifier, reference, data_dir);
    return 0;
  });
}
