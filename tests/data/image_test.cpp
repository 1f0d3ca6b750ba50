// Image decoding and the image-folder data set. Fixture images are written at test time with
// stb_image_write (PNG, BMP, JPEG) into a temporary directory, TGA files are built byte by byte,
// and the GIFs are embedded as bytes made with Pillow.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>
#include <zlib.h>

#include <array>

#include "data/dataloader.h"
#include "data/image_decode.h"
#include "data/image_folder.h"
#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

namespace {

void write_png_file(const std::string& path, int width, int height, int channels,
                    const std::vector<uint8_t>& pixels) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ASSERT_EQ(stbi_write_png(path.c_str(), width, height, channels, pixels.data(), width * channels),
            1);
}

void write_bmp_file(const std::string& path, int width, int height, int channels,
                    const std::vector<uint8_t>& pixels) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ASSERT_EQ(stbi_write_bmp(path.c_str(), width, height, channels, pixels.data()), 1);
}

void append_big_endian(std::vector<uint8_t>& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(value >> shift));
}

// The signature and a valid IHDR chunk (CRC computed with zlib) of a PNG declaring width x
// height 8-bit RGB, and nothing else: enough for stbi_info, nothing to decode.
std::vector<uint8_t> png_header_only(uint32_t width, uint32_t height) {
  std::vector<uint8_t> bytes = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> chunk = {'I', 'H', 'D', 'R'};
  append_big_endian(chunk, width);
  append_big_endian(chunk, height);
  chunk.insert(chunk.end(), {8, 2, 0, 0, 0});  // depth 8, colour type 2 (RGB), no interlace
  append_big_endian(bytes, 13);
  bytes.insert(bytes.end(), chunk.begin(), chunk.end());
  append_big_endian(bytes, uint32_t(crc32(0, chunk.data(), uInt(chunk.size()))));
  return bytes;
}

}  // namespace

TEST(ImageDecode, GrayscalePngValues) {
  TempDir dir;
  write_png_file(dir / "g.png", 3, 2, 1, {0, 51, 102, 153, 204, 255});
  Tensor image = read_image(dir / "g.png");
  EXPECT_EQ(image.shape(), (Shape{1, 2, 3}));
  // v / 255 in float32.
  EXPECT_EQ(image.to_vector<float>(), (std::vector<float>{0.0f, 51 / 255.0f, 102 / 255.0f,
                                                          153 / 255.0f, 204 / 255.0f, 1.0f}));
  Tensor symmetric = read_image(dir / "g.png", {.range = PixelRange::MinusOneToOne});
  EXPECT_EQ(symmetric.to_vector<float>().front(), -1.0f);
  EXPECT_EQ(symmetric.to_vector<float>().back(), 1.0f);
}

TEST(ImageDecode, RgbIsPlanarAndConvertsToGray) {
  TempDir dir;
  // Two pixels: pure red, pure blue.
  write_png_file(dir / "c.png", 2, 1, 3, {255, 0, 0, 0, 0, 255});
  Tensor rgb = read_image(dir / "c.png", {.channels = 3});
  EXPECT_EQ(rgb.shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(rgb.to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 0, 1}));  // R, G, B planes
  // stb's luma: (77 r + 150 g + 29 b) >> 8, so red -> 76, blue -> 28.
  Tensor gray = read_image(dir / "c.png", {.channels = 1});
  EXPECT_EQ(gray.to_vector<float>(), (std::vector<float>{76 / 255.0f, 28 / 255.0f}));
}

TEST(ImageDecode, ResizeKeepsAConstantImageConstant) {
  TempDir dir;
  // Any normalised resampling filter maps a constant image to the same constant.
  write_bmp_file(dir / "flat.bmp", 8, 6, 3, std::vector<uint8_t>(8 * 6 * 3, 100));
  for (auto [h, w] : {std::pair{3, 4}, std::pair{12, 16}, std::pair{5, 7}}) {
    Tensor image = read_image(dir / "flat.bmp", {.channels = 3, .height = h, .width = w});
    EXPECT_EQ(image.shape(), (Shape{3, h, w}));
    for (float v : image.to_vector<float>()) EXPECT_EQ(v, 100 / 255.0f);
  }
}

namespace {

// The six colours of the GIF and TGA fixtures below, row-major in a 3 x 2 image, and their gray
// levels by stb's luma (77 r + 150 g + 29 b) >> 8, computed by hand (python3 gives the same).
const std::vector<std::array<uint8_t, 3>> kSixColours = {{255, 0, 0},  {0, 255, 0},  {0, 0, 255},
                                                         {10, 20, 30}, {40, 50, 60}, {200, 100, 0}};
const std::vector<float> kSixGrays = {76 / 255.0f, 149 / 255.0f, 28 / 255.0f,
                                      18 / 255.0f, 48 / 255.0f,  118 / 255.0f};

// The planar float RGB tensor values ([3, 2, 3], row-major in each plane) of kSixColours.
std::vector<float> six_colour_planes() {
  std::vector<float> planes;
  for (size_t channel = 0; channel < 3; ++channel) {
    for (const auto& colour : kSixColours) planes.push_back(colour[channel] / 255.0f);
  }
  return planes;
}

// A minimal uncompressed TGA by hand (Truevision TGA 2.0 spec): an 18-byte header (no ID, no
// colour map), then the pixels, BGR for true colour. `image_type` 2 is true colour, 3 gray,
// 11 run-length-encoded gray; descriptor bit 5 set means rows are stored top to bottom, clear
// (TGA's default) bottom to top.
std::vector<uint8_t> tga_header(uint8_t image_type, uint16_t width, uint16_t height, uint8_t depth,
                                bool top_down) {
  std::vector<uint8_t> header(18, 0);  // bytes 3-11: colour map specification and origin, unused
  header[2] = image_type;
  header[12] = uint8_t(width & 0xff);  // little-endian sizes
  header[13] = uint8_t(width >> 8);
  header[14] = uint8_t(height & 0xff);
  header[15] = uint8_t(height >> 8);
  header[16] = depth;  // bits per pixel
  header[17] = top_down ? 0x20 : 0x00;
  return header;
}

std::vector<uint8_t> six_colour_tga(bool top_down) {
  std::vector<uint8_t> bytes = tga_header(2, 3, 2, 24, top_down);
  for (int row : top_down ? std::vector<int>{0, 1} : std::vector<int>{1, 0}) {
    for (int column = 0; column < 3; ++column) {
      const auto& [r, g, b] = kSixColours[size_t(row * 3 + column)];
      bytes.insert(bytes.end(), {b, g, r});
    }
  }
  return bytes;
}

}  // namespace

TEST(ImageDecode, TgaTrueColourBothRowOrders) {
  // Stored bottom-up (the default) or top-down, the decoded image is the same, top row first.
  for (bool top_down : {false, true}) {
    const std::vector<uint8_t> tga = six_colour_tga(top_down);
    const Tensor rgb = decode_image(tga, "six.tga", {.channels = 3});
    EXPECT_EQ(rgb.shape(), (Shape{3, 2, 3}));
    EXPECT_EQ(rgb.to_vector<float>(), six_colour_planes()) << "top_down " << top_down;
    EXPECT_EQ(decode_image(tga, "six.tga").to_vector<float>(), kSixGrays) << top_down;
  }
}

TEST(ImageDecode, TgaGrayAndRunLengthEncoded) {
  TempDir dir;
  // Type 3, 8-bit gray, 2 x 2, bottom-up: stored rows (30, 40) then (10, 20).
  std::vector<uint8_t> gray = tga_header(3, 2, 2, 8, false);
  gray.insert(gray.end(), {30, 40, 10, 20});
  write_bytes(dir / "gray.tga", gray);
  EXPECT_EQ(read_image(dir / "gray.tga").to_vector<float>(),
            (std::vector<float>{10 / 255.0f, 20 / 255.0f, 30 / 255.0f, 40 / 255.0f}));
  // Type 11, one row of 5: a run packet (0x80 | count - 1) of three 50s, then a raw packet
  // (count - 1) of 200 and 7.
  std::vector<uint8_t> rle = tga_header(11, 5, 1, 8, true);
  rle.insert(rle.end(), {0x82, 50, 0x01, 200, 7});
  const Tensor image = decode_image(rle, "rle.tga");
  EXPECT_EQ(image.shape(), (Shape{1, 1, 5}));
  EXPECT_EQ(image.to_vector<float>(),
            (std::vector<float>{50 / 255.0f, 50 / 255.0f, 50 / 255.0f, 200 / 255.0f, 7 / 255.0f}));
}

TEST(ImageDecode, GifPaletteColoursAndTheFirstFrameOnly) {
  // Made with Pillow 9.4 (/usr/bin/python3): Image.new("P", (3, 2)), putpalette(the six colours
  // of kSixColours), putdata([0, 1, 2, 3, 4, 5]), save(format="GIF"). Pillow reads it back as
  // the six colours.
  const std::vector<uint8_t> gif = {
      0x47, 0x49, 0x46, 0x38, 0x37, 0x61, 0x03, 0x00, 0x02, 0x00, 0x82, 0x00, 0x00, 0xff, 0x00,
      0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0x0a, 0x14, 0x1e, 0x28, 0x32, 0x3c, 0xc8, 0x64,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02,
      0x00, 0x00, 0x08, 0x09, 0x00, 0x01, 0x04, 0x10, 0x30, 0x80, 0x40, 0x81, 0x80, 0x00, 0x3b};
  TempDir dir;
  write_bytes(dir / "six.gif", gif);
  EXPECT_EQ(read_image(dir / "six.gif", {.channels = 3}).to_vector<float>(), six_colour_planes());
  EXPECT_EQ(read_image(dir / "six.gif").to_vector<float>(), kSixGrays);

  // Two 2 x 1 frames, made with Pillow: frame 1 = (0, 255), frame 2 = (255, 0), from mode "L"
  // images saved with save_all=True, append_images=[frame2], duration=100, loop=0.
  const std::vector<uint8_t> animated = {
      0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x01, 0x00, 0x81, 0x00, 0x00, 0x00,
      0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0xff, 0x0b,
      0x4e, 0x45, 0x54, 0x53, 0x43, 0x41, 0x50, 0x45, 0x32, 0x2e, 0x30, 0x03, 0x01, 0x00,
      0x00, 0x00, 0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00,
      0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x08, 0x05, 0x00, 0x01, 0x04, 0x08, 0x08, 0x00,
      0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02,
      0x00, 0x01, 0x00, 0x81, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x08, 0x05, 0x00, 0x03, 0x00, 0x08, 0x08, 0x00, 0x3b};
  EXPECT_EQ(decode_image(animated, "animated.gif").to_vector<float>(),
            (std::vector<float>{0.0f, 1.0f}));
}

TEST(ImageDecode, ResizeKeepsOrientationOfANonSquareImage) {
  TempDir dir;
  // 40 wide x 20 tall, four quadrants: top-left 0, top-right 255, bottom-left 80, bottom-right
  // 180. Shrunk 5x to 8 wide x 4 tall, each output corner averages a 5 x 5 block well inside its
  // quadrant (the Mitchell filter reaches 10 input pixels out; the quadrant edges are 7.5 away,
  // where the kernel's weight is small), so corners stay within a few levels of their quadrant.
  // Swapped width and height, a transposed buffer or a flipped row order would put other
  // quadrants' levels in these corners.
  const int width = 40, height = 20;
  std::vector<uint8_t> pixels(size_t(width * height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const bool right = x >= width / 2, bottom = y >= height / 2;
      pixels[size_t(y * width + x)] = bottom ? (right ? 180 : 80) : (right ? 255 : 0);
    }
  }
  write_png_file(dir / "quadrants.png", width, height, 1, pixels);
  const Tensor small = read_image(dir / "quadrants.png", {.height = 4, .width = 8});
  ASSERT_EQ(small.shape(), (Shape{1, 4, 8}));
  const std::vector<float> v = small.to_vector<float>();
  auto level = [&](int row, int column) { return v[size_t(row * 8 + column)] * 255.0f; };
  EXPECT_NEAR(level(0, 0), 0.0f, 8.0f);
  EXPECT_NEAR(level(0, 7), 255.0f, 8.0f);
  EXPECT_NEAR(level(3, 0), 80.0f, 8.0f);
  EXPECT_NEAR(level(3, 7), 180.0f, 8.0f);
  // Across the vertical edge every row steps up from left to right.
  for (int row = 0; row < 4; ++row) EXPECT_LT(level(row, 2), level(row, 5)) << row;

  // Enlarged 2x to 80 x 40 (Catmull-Rom): the same corners, the same shape the right way round.
  const Tensor large = read_image(dir / "quadrants.png", {.height = 40, .width = 80});
  ASSERT_EQ(large.shape(), (Shape{1, 40, 80}));
  const std::vector<float> w = large.to_vector<float>();
  auto large_level = [&](int row, int column) { return w[size_t(row * 80 + column)] * 255.0f; };
  EXPECT_NEAR(large_level(0, 0), 0.0f, 1.0f);
  EXPECT_NEAR(large_level(0, 79), 255.0f, 1.0f);
  EXPECT_NEAR(large_level(39, 0), 80.0f, 1.0f);
  EXPECT_NEAR(large_level(39, 79), 180.0f, 1.0f);
}

TEST(ImageDecodeErrors, UndecodableImage) {
  TempDir dir;
  write_bytes(dir / "bad.png", {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'});
  EXPECT_EQ(error_message([&] { read_image(dir / "bad.png"); }),
            "read_image: " + (dir / "bad.png") +
                ": cannot decode: not a PNG, JPEG, BMP, GIF or TGA image, or its header is "
                "corrupt or declares more than 2^30 bytes");
  // A valid header with no image data after it fails in the decoder.
  EXPECT_THAT(error_message([] { decode_image(png_header_only(4, 4), "header.png"); }),
              HasSubstr("read_image: header.png: cannot decode: "));
}

TEST(ImageDecodeErrors, OverThePixelLimitBeforeDecoding) {
  // 8000 x 8000 RGB is 192,000,000 values: refused from the header alone (the file has no pixel
  // data at all, so decoding it would fail differently).
  EXPECT_EQ(error_message([] { decode_image(png_header_only(8000, 8000), "big.png"); }),
            "read_image: big.png: declared size 8000x8000 with 3 channels is 192000000 "
            "values, over the limit of 67108864 (ImageOptions::max_values)");
  // The limit is configurable: a real 10x10 gray image against a limit of 99 values.
  TempDir dir;
  write_png_file(dir / "small.png", 10, 10, 1, std::vector<uint8_t>(100, 7));
  EXPECT_THAT(error_message([&] { read_image(dir / "small.png", {.max_values = 99}); }),
              HasSubstr("declared size 10x10 with 1 channels is 100 values, over the limit of 99"));
  EXPECT_EQ(read_image(dir / "small.png", {.max_values = 100}).numel(), 100);
  // Asking for RGB counts 3 values per pixel even from a gray file.
  EXPECT_THAT(
      error_message([&] { read_image(dir / "small.png", {.channels = 3, .max_values = 299}); }),
      HasSubstr("is 300 values"));
}

namespace {

// A real 8x8 JPEG from stb_image_write, with `segment` inserted right after its SOI marker.
std::vector<uint8_t> jpeg_with_segment(const std::vector<uint8_t>& segment) {
  std::vector<uint8_t> jpeg;
  auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  };
  std::vector<uint8_t> pixels(64);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 4);
  EXPECT_EQ(stbi_write_jpg_to_func(append, &jpeg, 8, 8, 1, pixels.data(), 90), 1);
  jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
  return jpeg;
}

// A segment: marker, big-endian length (counting itself), payload.
std::vector<uint8_t> segment(uint8_t marker, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out;
  out.reserve(payload.size() + 4);
  for (uint8_t byte : {uint8_t(0xFF), marker, uint8_t((payload.size() + 2) >> 8),
                       uint8_t((payload.size() + 2) & 0xff)}) {
    out.push_back(byte);
  }
  for (uint8_t byte : payload) out.push_back(byte);
  return out;
}

}  // namespace

TEST(ImageDecodeErrors, ForgedJpegHuffmanTableIsRefusedBeforeStbSeesIt) {
  // A DHT table (class 0, id 0) whose 16 counts of 20 declare 320 codes: stb_image 2.27 would
  // write past its 257-entry size array (found by fuzz_image).
  std::vector<uint8_t> table = {0x00};
  table.insert(table.end(), 16, 20);
  table.insert(table.end(), 320, 0);
  EXPECT_EQ(error_message([&] { decode_image(jpeg_with_segment(segment(0xC4, table)), "x.jpg"); }),
            "read_image: x.jpg: corrupt JPEG: a Huffman table declares 320 codes (at most 256)");
  // stb also takes extra FF bytes before SOI as a JPEG: so does the check.
  std::vector<uint8_t> padded = jpeg_with_segment(segment(0xC4, table));
  padded.insert(padded.begin(), 0xFF);
  EXPECT_THAT(error_message([&] { decode_image(padded, "padded.jpg"); }),
              HasSubstr("corrupt JPEG: a Huffman table declares 320 codes"));
  // The same bytes inside an APP1 payload (as EXIF data may hold) are skipped by the segment
  // length: the JPEG decodes.
  const Tensor image =
      decode_image(jpeg_with_segment(segment(0xE1, segment(0xC4, table))), "app.jpg");
  EXPECT_EQ(image.shape(), (Shape{1, 8, 8}));
  // And a plain JPEG decodes to roughly its pixels (lossy: within a few levels at quality 90).
  const std::vector<float> values =
      decode_image(jpeg_with_segment({}), "plain.jpg").to_vector<float>();
  ASSERT_EQ(values.size(), 64u);
  for (size_t i = 0; i < 64; ++i) EXPECT_NEAR(values[i] * 255.0f, float(i * 4), 12.0f) << i;
}

TEST(ImageDecodeErrors, EmptyImage) {
  // A valid 1x1 BMP whose width field (bytes 18-21, little-endian) is patched to 0: stb_image
  // 2.27 accepts it as an empty image (found by fuzz_image).
  TempDir dir;
  write_bmp_file(dir / "one.bmp", 1, 1, 3, {1, 2, 3});
  std::vector<uint8_t> bytes = read_bytes(dir / "one.bmp");
  ASSERT_EQ(bytes[18], 1);
  bytes[18] = 0;
  EXPECT_EQ(error_message([&] { decode_image(bytes, "empty.bmp", {.height = 4, .width = 4}); }),
            "read_image: empty.bmp: the image is 0x1 pixels: empty");
}

TEST(ImageDecodeErrors, MissingFileAndBadOptions) {
  EXPECT_EQ(error_message([] { read_image("/no/such/image.png"); }),
            "read_image: /no/such/image.png: cannot open: No such file or directory");
  EXPECT_THAT(error_message([] { decode_image(png_header_only(1, 1), "x.png", {.channels = 2}); }),
              HasSubstr("channels must be 1 (grayscale) or 3 (RGB), got 2"));
  EXPECT_THAT(error_message([] { decode_image(png_header_only(1, 1), "x.png", {.height = 4}); }),
              HasSubstr("give both sizes"));
}

namespace {

// root/cat/a.png, root/cat/deeper/b.png, root/dog/c.bmp, and a text file that is ignored.
void make_pet_folder(const TempDir& dir) {
  write_png_file(dir / "pets/cat/a.png", 2, 2, 1, {10, 10, 10, 10});
  write_png_file(dir / "pets/cat/deeper/b.PNG", 4, 4, 1, std::vector<uint8_t>(16, 20));
  write_bmp_file(dir / "pets/dog/c.bmp", 2, 2, 3, std::vector<uint8_t>(12, 30));
  write_bytes(dir / "pets/dog/notes.txt", {'h', 'i'});
}

}  // namespace

TEST(ImageFolder, SubfoldersAreClasses) {
  TempDir dir;
  make_pet_folder(dir);
  for (const std::string& root : {dir / "pets", dir / "pets/"}) {
    ImageFolder folder(root, {.image = {.channels = 1, .height = 2, .width = 2}});
    EXPECT_EQ(folder.size(), 3);
    EXPECT_EQ(folder.class_names(), (std::vector<std::string>{"cat", "dog"}));
    EXPECT_EQ(folder.labels(), (std::vector<int64_t>{0, 0, 1}));
    const std::vector<int64_t> indices = {2, 0, 1};
    Batch batch = folder.get_batch(indices);
    EXPECT_EQ(batch.inputs.shape(), (Shape{3, 1, 2, 2}));
    EXPECT_EQ(batch.labels.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 0}));
    // Constant images stay constant through resizing and gray conversion (30 gray in BMP RGB:
    // (77 + 150 + 29) * 30 >> 8 = 30).
    const std::vector<float> values = batch.inputs.to_vector<float>();
    EXPECT_EQ(values[0], 30 / 255.0f);
    EXPECT_EQ(values[4], 10 / 255.0f);
    EXPECT_EQ(values[8], 20 / 255.0f);
  }
}

TEST(ImageFolder, UnlabelledTakesEverything) {
  TempDir dir;
  make_pet_folder(dir);
  write_png_file(dir / "pets/loose.png", 2, 2, 1, {1, 2, 3, 4});
  ImageFolder folder(dir / "pets",
                     {.image = {.channels = 3, .height = 2, .width = 2}, .labelled = false});
  EXPECT_EQ(folder.size(), 4);
  EXPECT_TRUE(folder.class_names().empty());
  Batch batch = folder.get_batch(std::vector<int64_t>{0, 1, 2, 3});
  EXPECT_EQ(batch.inputs.shape(), (Shape{4, 3, 2, 2}));
  EXPECT_FALSE(batch.labels.defined());
  // With labels, an image directly under the root has no class.
  EXPECT_THAT(
      error_message([&] { ImageFolder(dir / "pets", {.image = {.height = 2, .width = 2}}); }),
      HasSubstr("loose.png is not inside a class subfolder"));
}

TEST(ImageFolder, JpegFilesAreFoundAndDecoded) {
  TempDir dir;
  // 16 x 8 JPEGs (stb_image_write, quality 95): the left 8 x 8 block level 40, the right one
  // 220. Each block is constant, so only its DC coefficient is non-zero and decodes to within a
  // level or two of the original (quantisation of one coefficient, then the colour transform).
  std::vector<uint8_t> pixels(16 * 8);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = (i % 16) < 8 ? 40 : 220;
  std::filesystem::create_directories(dir / "photos/shoes");
  for (const std::string name : {"photos/shoes/a.jpg", "photos/shoes/b.JPEG"}) {
    ASSERT_EQ(stbi_write_jpg((dir / name).c_str(), 16, 8, 1, pixels.data(), 95), 1);
  }
  ImageFolder folder(dir / "photos", {.image = {.channels = 1, .height = 8, .width = 16}});
  ASSERT_EQ(folder.size(), 2);
  EXPECT_EQ(folder.class_names(), (std::vector<std::string>{"shoes"}));
  const Batch batch = folder.get_batch(std::vector<int64_t>{0, 1});
  ASSERT_EQ(batch.inputs.shape(), (Shape{2, 1, 8, 16}));
  const std::vector<float> values = batch.inputs.to_vector<float>();
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_NEAR(values[i] * 255.0f, (i % 16) < 8 ? 40.0f : 220.0f, 3.0f) << i;
  }
}

TEST(ImageFolder, ErrorsNameTheFile) {
  TempDir dir;
  EXPECT_EQ(error_message([&] { ImageFolder(dir / "none", {.image = {.height = 2, .width = 2}}); }),
            "image_folder: " + (dir / "none") + ": no such directory");
  std::filesystem::create_directories(dir / "empty");
  EXPECT_THAT(
      error_message([&] { ImageFolder(dir / "empty", {.image = {.height = 2, .width = 2}}); }),
      HasSubstr("no image files"));
  EXPECT_THAT(error_message([&] { ImageFolder(dir / "empty", {}); }),
              HasSubstr("give the image size to resize to"));
  // An undecodable file surfaces from the DataLoader's background thread, naming the file.
  write_png_file(dir / "set/a/good.png", 2, 2, 1, {1, 2, 3, 4});
  write_bytes(dir / "set/a/broken.png", {0x89, 'P', 'N', 'G', 0, 0});
  auto folder = std::make_shared<ImageFolder>(
      dir / "set", ImageFolderOptions{.image = {.height = 2, .width = 2}});
  DataLoader loader(folder, {.batch_size = 2, .shuffle = false});
  EXPECT_THAT(error_message([&] { loader.next(); }),
              HasSubstr("read_image: " + (dir / "set/a/broken.png") + ": cannot decode"));
}
