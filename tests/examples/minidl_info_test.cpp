// Runs minidl-info's histogram subcommands (entropy, kl, js, mi) on small PNG files written here,
// and checks what it prints and its exit code. Expected values are hand computations from the
// pixel counts, or numpy's (/usr/bin/python3: np.histogram over [0, 1], then the formula) pasted
// as literals where marked. The program prints 6 significant digits, hence the tolerances.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "minidl_info_fixture.h"

using namespace minidl;
using namespace minidl::testing;
namespace fs = std::filesystem;

namespace {

// Six significant digits of a printed value.
double printed_tolerance(double value) { return 1e-5 * std::max(1.0, std::fabs(value)); }

// The black-and-white images most tests use, 2 x 2 pixels each.
const std::vector<std::vector<double>> kHalf = {{0, 0}, {255, 255}};  // 1/2 black, 1/2 white
const std::vector<std::vector<double>> kBlack = {{0, 0}, {0, 0}};
const std::vector<std::vector<double>> kWhite = {{255, 255}, {255, 255}};

}  // namespace

TEST_F(MinidlInfo, EntropyOfKnownImages) {
  const std::string half = png("half.png", kHalf);                   // two levels, 2 each
  const std::string four = png("four.png", {{0, 100}, {160, 255}});  // four levels
  const ProgramRun r = run("entropy " + half + " " + four);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, "half.png: entropy "), 1.0, 1e-6);
  EXPECT_NEAR(number_after(r.output, "four.png: entropy "), 2.0, 1e-6);
  // Two bins over [0, 1] split the four levels 2 + 2: 1 bit; in nats, ln 2.
  EXPECT_NEAR(number_after(run("entropy --bins 2 " + four).output, "entropy "), 1.0, 1e-6);
  EXPECT_NEAR(number_after(run("entropy --bins 2 --nats " + four).output, "entropy "),
              std::log(2.0), 1e-6);
}

TEST_F(MinidlInfo, KlAndJsBetweenImagesAndFolders) {
  const std::string a = png("a.png", kHalf);               // P = (1/2 black, 1/2 white)
  const std::string b = png("b.png", {{0, 0}, {0, 255}});  // Q = (3/4, 1/4)
  // KL(P || Q) = 1/2 log2(2/3) + 1/2 log2(2), by hand.
  const double expected = 0.5 * std::log2(2.0 / 3.0) + 0.5;
  ProgramRun r = run("kl " + a + " " + b);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, " = "), expected, 1e-5);

  // An all-black image gives white no probability: infinite unless smoothed (exact values of the
  // smoothing in EpsilonSmoothsKlAndJsByHand).
  const std::string black = png("black.png", kBlack);
  r = run("kl " + a + " " + black);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("= inf bits"), std::string::npos) << r.output;
  r = run("kl --epsilon 0.01 " + a + " " + black);
  EXPECT_TRUE(std::isfinite(number_after(r.output, " = "))) << r.output;

  // JS of disjoint histograms is its maximum, 1 bit.
  const std::string white = png("white.png", kWhite);
  EXPECT_NEAR(number_after(run("js " + black + " " + white).output, " = "), 1.0, 1e-6);

  // A folder pools its images: black + white 2x2 images are half black, half white, like a.png.
  png("folder/black.png", kBlack);
  png("folder/sub/white.png", kWhite);
  r = run("kl " + path("folder") + " " + a);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, " = "), 0.0, 1e-9);
}

// Two folders whose images differ in size: pooling counts pixels, so a bigger image weighs more.
// A = {black 2x2, white 2x2}: 4 black, 4 white, P = (1/2, 1/2). B = {black 2x2, white 1x2}:
// 4 black, 2 white, Q = (2/3, 1/3). (Averaging the images' own distributions instead would give
// Q = (1/2, 1/2) and KL 0.)
TEST_F(MinidlInfo, KlAndJsBetweenTwoFoldersPoolPixelCounts) {
  png("A/black.png", kBlack);
  png("A/white.png", kWhite);
  png("B/black.png", kBlack);
  png("B/deeper/white.png", {{255, 255}});
  // By hand: KL(P || Q) = 1/2 log2(3/4) + 1/2 log2(3/2) = 1/2 log2(9/8); the other way round
  // 2/3 log2(4/3) + 1/3 log2(2/3). JS with M = (7/12, 5/12): numpy gives 0.0207208396239082.
  const double kl_ab = 0.5 * std::log2(9.0 / 8.0);
  const double kl_ba = 2.0 / 3.0 * std::log2(4.0 / 3.0) + 1.0 / 3.0 * std::log2(2.0 / 3.0);
  const double js = 0.0207208396239082;
  ProgramRun r = run("kl " + path("A") + " " + path("B"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("KL(" + path("A") + " || " + path("B") + ") = "), std::string::npos)
      << r.output;
  EXPECT_NEAR(number_after(r.output, ") = "), kl_ab, printed_tolerance(kl_ab));
  r = run("kl " + path("B") + " " + path("A"));
  EXPECT_NEAR(number_after(r.output, ") = "), kl_ba, printed_tolerance(kl_ba)) << r.output;
  for (const std::string order : {"A B", "B A"}) {  // symmetric
    r = run("js " + path(order.substr(0, 1)) + " " + path(order.substr(2, 1)));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NEAR(number_after(r.output, ") = "), js, printed_tolerance(js)) << order;
  }
}

// --bins changes which intensities share a bin. A has levels 0, 100, 200, 255 (one pixel each),
// B has 0, 0, 0, 255. With 256 bins, A has levels B never has: KL(A || B) = inf. With 2 bins
// (edges 0, 0.5, 1; 100/255 = 0.39 and 200/255 = 0.78), P = (1/2, 1/2) and Q = (3/4, 1/4).
// With 4 bins, P = (1/4, 1/4, 0, 1/2) and Q = (3/4, 0, 0, 1/4): infinite again, and JS is exactly
// 1/2 KL(P || M) + 1/2 KL(Q || M) with M = (1/2, 1/8, 0, 3/8) = 1/2 (0.2075) + 1/2 (0.2925) = 1/4.
TEST_F(MinidlInfo, BinsChangeKlJsAndMiAsCountedByHand) {
  const std::string a = png("a.png", {{0, 100}, {200, 255}});
  const std::string b = png("b.png", {{0, 0}, {0, 255}});
  EXPECT_NE(run("kl " + a + " " + b).output.find("= inf bits"), std::string::npos);
  EXPECT_NE(run("kl --bins 4 " + a + " " + b).output.find("= inf bits"), std::string::npos);
  const double kl2 = 0.5 * std::log2(2.0 / 3.0) + 0.5 * std::log2(2.0);  // = 0.2075
  ProgramRun r = run("kl --bins 2 " + a + " " + b);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, ") = "), kl2, printed_tolerance(kl2));
  EXPECT_NEAR(number_after(run("kl --bins 2 --nats " + a + " " + b).output, ") = "),
              kl2 * std::log(2.0), 1e-6);

  // JS: with 2 bins M = (5/8, 3/8); with 256 bins M = 1/2 at 0, 1/8 at 100 and 200, 1/4 at 255,
  // KL(P || M) = 1/4 (-1 + 1 + 1 + 0) = 1/4 and KL(Q || M) = 3/4 log2(3/2).
  const double js2 = 0.5 * (0.5 * std::log2(0.5 / 0.625) + 0.5 * std::log2(0.5 / 0.375)) +
                     0.5 * (0.75 * std::log2(0.75 / 0.625) + 0.25 * std::log2(0.25 / 0.375));
  const double js256 = 0.5 * 0.25 + 0.5 * 0.75 * std::log2(1.5);
  EXPECT_NEAR(number_after(run("js --bins 2 " + a + " " + b).output, ") = "), js2,
              printed_tolerance(js2));
  EXPECT_NEAR(number_after(run("js --bins 4 " + a + " " + b).output, ") = "), 0.25, 1e-6);
  EXPECT_NEAR(number_after(run("js " + a + " " + b).output, ") = "), js256,
              printed_tolerance(js256));

  // mi of an image with itself is its entropy at that many bins. Levels 0, 50, 50, 200, 200, 200,
  // 255, 255: with 2 bins 3 pixels fall below 0.5 and 5 above, H = H(3/8, 5/8); with 256 bins
  // the counts are 1, 2, 3, 2 of 8.
  const std::string image = png("image.png", {{0, 50, 50, 200}, {200, 200, 255, 255}});
  const double h2 = -(3.0 / 8 * std::log2(3.0 / 8) + 5.0 / 8 * std::log2(5.0 / 8));
  const double h256 = -(1.0 / 8 * std::log2(1.0 / 8) + 2 * 2.0 / 8 * std::log2(2.0 / 8) +
                        3.0 / 8 * std::log2(3.0 / 8));
  r = run("mi --bins 2 " + image + " " + image);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, ") = "), h2, printed_tolerance(h2));
  EXPECT_NEAR(number_after(r.output, "H(A) = "), h2, printed_tolerance(h2));
  EXPECT_NEAR(number_after(run("mi " + image + " " + image).output, ") = "), h256,
              printed_tolerance(h256));
}

// --epsilon against the smoothing formula p' = (p + e) / (1 + n e) on both normalised histograms.
TEST_F(MinidlInfo, EpsilonSmoothsKlAndJsByHand) {
  const std::string half = png("half.png", kHalf);
  const std::string black = png("black.png", kBlack);
  const std::string white = png("white.png", kWhite);

  // kl, 2 bins, e = 0.01: P = (1/2, 1/2) stays (1/2, 1/2); Q = (1, 0) becomes (1.01, 0.01) / 1.02.
  const double kl2 = 0.5 * std::log2(0.5 * 1.02 / 1.01) + 0.5 * std::log2(0.5 * 1.02 / 0.01);
  ProgramRun r = run("kl --bins 2 --epsilon 0.01 " + half + " " + black);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, ") = "), kl2, printed_tolerance(kl2));  // 2.3433
  // 256 bins: z = 1 + 256 e; P' = (0.5 + e) / z at levels 0 and 255, Q' = (1 + e) / z at 0 and
  // e / z at 255; the 254 empty bins are e / z in both and contribute 0. numpy:
  // 0.6714005597212107.
  const double kl256 =
      (0.51 / 3.56) * std::log2(0.51 / 1.01) + (0.51 / 3.56) * std::log2(0.51 / 0.01);
  EXPECT_NEAR(kl256, 0.6714005597212107, 1e-12);  // the hand formula agrees with numpy
  r = run("kl --epsilon 0.01 " + half + " " + black);
  EXPECT_NEAR(number_after(r.output, ") = "), kl256, printed_tolerance(kl256)) << r.output;

  // js, 2 bins, e = 1/4: P = (1, 0) -> (5/6, 1/6), Q = (0, 1) -> (1/6, 5/6), M = (1/2, 1/2):
  // JS = 1 - H(1/6, 5/6) bits (unsmoothed it would be 1 bit).
  const double js2 = 1.0 + (5.0 / 6 * std::log2(5.0 / 6) + 1.0 / 6 * std::log2(1.0 / 6));
  r = run("js --bins 2 --epsilon 0.25 " + black + " " + white);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NEAR(number_after(r.output, ") = "), js2, printed_tolerance(js2));  // 0.349978
  // 256 bins, e = 0.01, numpy: 0.2637415024630301 bits (unsmoothed: 1 bit).
  r = run("js --epsilon 0.01 " + black + " " + white);
  EXPECT_NEAR(number_after(r.output, ") = "), 0.2637415024630301, 1e-6) << r.output;
  r = run("js --epsilon 0.01 --nats " + black + " " + white);
  EXPECT_NEAR(number_after(r.output, ") = "), 0.2637415024630301 * std::log(2.0), 1e-6);

  // A negative epsilon is refused by the flag check, for both subcommands.
  EXPECT_NE(run("js --epsilon -1 " + black + " " + white).exit_code, 0);
  EXPECT_NE(run("kl --epsilon -1 " + black + " " + white).exit_code, 0);
}

TEST_F(MinidlInfo, MutualInformationOfAnImageWithItselfAndItsNegative) {
  const std::string image = png("image.png", {{0, 50, 50, 200}, {200, 200, 255, 255}});
  const std::string negative = png("negative.png", {{255, 205, 205, 55}, {55, 55, 0, 0}});
  // Levels 0, 50, 200, 255 with counts 1, 2, 3, 2 of 8 pixels: H = -sum p log2 p, by hand.
  const double h = -(1.0 / 8 * std::log2(1.0 / 8) + 2.0 / 8 * std::log2(2.0 / 8) +
                     3.0 / 8 * std::log2(3.0 / 8) + 2.0 / 8 * std::log2(2.0 / 8));
  for (const std::string& other : {image, negative}) {
    const ProgramRun r = run("mi " + image + " " + other);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NEAR(number_after(r.output, ") = "), h, 1e-5);  // "I(A; B) = ..."
    EXPECT_NEAR(number_after(r.output, "(H(A) + H(B)) = "), 1.0, 1e-6);
  }
}

namespace {

// The 54 bytes of a BMP header (BITMAPINFOHEADER, 24 bits per pixel, uncompressed) declaring
// width x height pixels, and no pixel data: stb reads the size from it without decoding.
std::vector<uint8_t> bmp_header_only(uint32_t width, uint32_t height) {
  std::vector<uint8_t> bytes = {'B', 'M'};
  auto le32 = [&](uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) bytes.push_back(uint8_t(v >> shift));
  };
  auto le16 = [&](uint16_t v) { bytes.insert(bytes.end(), {uint8_t(v), uint8_t(v >> 8)}); };
  le32(54);  // file size (this header only)
  le32(0);   // reserved
  le32(54);  // offset of the pixels
  le32(40);  // BITMAPINFOHEADER size
  le32(width);
  le32(height);
  le16(1);                                          // planes
  le16(24);                                         // bits per pixel
  for (int field = 0; field < 6; ++field) le32(0);  // compression (none), sizes, palette
  return bytes;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
  std::fclose(f);
}

}  // namespace

TEST_F(MinidlInfo, BadInputsAreOneLineErrorsNamingTheFile) {
  const std::string small = png("small.png", {{0, 255}});
  const std::string big = png("big.png", {{0, 255, 0}, {0, 0, 0}});
  const std::string missing = path("missing.png");

  expect_one_line_error(run("entropy " + missing),
                        "minidl-info: read_image: " + missing + ": cannot open: ");
  expect_one_line_error(run("mi " + small + " " + big),
                        "minidl-info: mi: " + small + " is 1 x 2 pixels but " + big);

  fs::create_directories(dir_ / "empty");
  expect_one_line_error(run("js " + path("empty") + " " + small),
                        "minidl-info: " + path("empty") + ": no image files");

  const std::string not_an_image = path("text.png");
  write_file(not_an_image, {'h', 'e', 'l', 'l', 'o'});
  expect_one_line_error(run("entropy " + not_an_image),
                        "minidl-info: read_image: " + not_an_image + ": cannot decode");

  // A header declaring 8000 x 8000 RGB pixels: over data/'s default limit of 64 Mi values, so it
  // is refused before any decoding, alone or inside a folder.
  const std::string huge = path("folder/huge.bmp");
  fs::create_directories(dir_ / "folder");
  write_file(huge, bmp_header_only(8000, 8000));
  const std::string over_the_limit =
      ": declared size 8000x8000 with 3 channels is 192000000 values, over the limit of 67108864";
  expect_one_line_error(run("entropy " + huge),
                        "minidl-info: read_image: " + huge + over_the_limit);
  expect_one_line_error(run("kl " + path("folder") + " " + small),
                        "minidl-info: read_image: " + huge + over_the_limit);

  EXPECT_NE(run("entropy --bins 0 " + small).exit_code, 0);  // CLI11 rejects the flag
}

// Inputs that are not regular files are refused before a byte is read: /dev/zero used to be read
// without end, a FIFO blocked forever, and a directory given as a classifier ran out of memory.
TEST_F(MinidlInfo, DevicesFifosAndDirectoriesAreRefusedAtOnce) {
  expect_one_line_error(run("entropy /dev/zero"),
                        "minidl-info: read_image: /dev/zero: is a character device, not a "
                        "regular file");
  const std::string fifo = path("pipe.png");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_one_line_error(run("entropy " + fifo),
                        "minidl-info: read_image: " + fifo + ": is a FIFO, not a regular file");
  fs::create_directories(dir_ / "cls");
  png("samples/a.png", std::vector<std::vector<double>>(28, std::vector<double>(28, 0.0)));
  expect_one_line_error(
      run("score " + path("samples") + " --classifier " + path("cls")),
      "minidl-info: load_safetensors: " + path("cls") + ": is a directory, not a safetensors file");
}

// --bins past mi's documented limit is a flag error (exit code 2) before any image is read.
TEST_F(MinidlInfo, MiRefusesMoreBinsThanItsLimitAsAFlagError) {
  const std::string small = png("small.png", {{0, 255}});
  for (const char* bins : {"8193", "1048576"}) {
    const ProgramRun r = run(std::string("mi --bins ") + bins + " " + small + " " + small);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(r.output, std::string("minidl-info: --bins: Value ") + bins +
                            " is above 8192, the most mi takes (its joint histogram has up to "
                            "bins x bins cells) (see --help)\n");
  }
}

// Within the limit the joint histogram is bounded by the data: two 28 x 28 images occupy at most
// 784 bins each, so --bins 8192 needs a few MB, not the 512 MiB of 8192 x 8192 counts (and the
// temporaries of the sums over it). Run under a 400 MB address-space limit.
TEST_F(MinidlInfo, MiWithManyBinsIsBoundedByTheImages) {
  std::vector<std::vector<double>> a(28, std::vector<double>(28)), b = a;
  for (int i = 0; i < 28; ++i) {
    for (int j = 0; j < 28; ++j) {
      a[size_t(i)][size_t(j)] = (i * 28 + j) % 256;
      b[size_t(i)][size_t(j)] = 255 - a[size_t(i)][size_t(j)];
    }
  }
  const std::string x = png("a.png", a), y = png("b.png", b);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of address space for its shadow memory at start-up, so
  // an address-space limit stops every program: there the run checks the result only.
  const std::string limit;
#else
  const std::string limit = "ulimit -v 400000; ";
#endif
  const ProgramRun limited = run_program(program_, "mi --bins 8192 " + x + " " + y,
                                         limit + "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1");
  ASSERT_EQ(limited.exit_code, 0) << limited.output;
  // The same numbers as with 256 bins, where every 8-bit level has a bin of its own.
  const ProgramRun coarse = run("mi --bins 256 " + x + " " + y);
  ASSERT_EQ(coarse.exit_code, 0) << coarse.output;
  EXPECT_DOUBLE_EQ(number_after(limited.output, ") = "), number_after(coarse.output, ") = "));
}

TEST_F(MinidlInfo, EpsilonMustBeFinite) {
  const std::string small = png("small.png", {{0, 255}});
  for (const char* bad : {"nan", "inf", "2"}) {
    const ProgramRun r = run(std::string("kl --epsilon ") + bad + " " + small + " " + small);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--epsilon"), std::string::npos) << r.output;
  }
}
