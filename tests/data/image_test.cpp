// Image decoding and the image-folder data set. Fixture images are written at test time with
// stb_image_write (PNG, BMP) into a temporary directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>
#include <zlib.h>

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
