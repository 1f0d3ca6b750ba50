// The safetensors reader and writer: a fixture written by Python from the specification loads
// with its exact values, minidl's files have the specified layout and round-trip bit-exactly, and
// every kind of malformed file is rejected with its own one-line error.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "nn_test_util.h"
#include "tests/nn/file_size_limit.h"

using namespace minidl;
using namespace minidl::nn;
using minidl::test::bit_identical;
using minidl::test::read_file;
using minidl::test::u64_le;
using minidl::test::values;

namespace {

std::string fixture_path() {
  return std::string(MINIDL_SOURCE_DIR) + "/tests/nn/fixtures/reference.safetensors";
}

// The names in a directory, sorted.
std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A file from a header text and a data section, with the header length set to the text's size.
std::string file_bytes(const std::string& header, const std::string& data) {
  return u64_le(header.size()) + header + data;
}

std::vector<std::string> names_of(const TensorMap& tensors) {
  std::vector<std::string> names;
  for (const auto& entry : tensors) names.push_back(entry.first);
  return names;
}

#define EXPECT_PARSE_ERROR(bytes, message)                       \
  EXPECT_MINIDL_ERROR(parse_safetensors(bytes, "f.safetensors"), \
                      std::string("load_safetensors: f.safetensors: ") + message)

}  // namespace

TEST(Safetensors, LoadsAFileWrittenByPythonWithExactValues) {
  SafetensorsFile file = load_safetensors(fixture_path());
  // Tensors come back in data order, whatever the order of the header's keys.
  EXPECT_EQ(names_of(file.tensors), (std::vector<std::string>{"layer.bias", "layer.weight", "index",
                                                              "mask", "step", "empty"}));
  EXPECT_EQ(file.metadata, (Metadata{{"format", "pt"}, {"written_by", "make_fixture.py"}}));
  const Tensor& bias = file.tensors[0].second;
  EXPECT_EQ(bias.dtype(), DType::Float64);
  EXPECT_EQ(values(bias), (std::vector<double>{0.25, -1.5}));
  const Tensor& weight = file.tensors[1].second;
  EXPECT_EQ(weight.dtype(), DType::Float32);
  EXPECT_EQ(weight.shape(), (Shape{2, 3}));
  EXPECT_EQ(weight.to_vector<float>(),
            (std::vector<float>{1.0f, -2.0f, 3.5f, 0.1f, 1e-30f, -7.0f}));
  const Tensor& index = file.tensors[2].second;
  EXPECT_EQ(index.to_vector<int64_t>(), (std::vector<int64_t>{-1, (int64_t(1) << 40) + 3, 7}));
  EXPECT_EQ(file.tensors[3].second.to_vector<uint8_t>(), (std::vector<uint8_t>{0, 1, 255, 128}));
  const Tensor& step = file.tensors[4].second;
  EXPECT_EQ(step.dim(), 0);
  EXPECT_EQ(step.item(), 42.0);
  EXPECT_EQ(file.tensors[5].second.shape(), (Shape{0, 3}));
}

TEST(Safetensors, WritesTheSpecifiedLayout) {
  std::string bytes = serialize_safetensors({{"a", tensor({1.0})}}, {{"k", "v"}});
  // crc32:a is the CRC-32 of the bytes 00 00 80 3f (1.0f), from Python's zlib.crc32.
  const std::string json = R"({"__metadata__":{"crc32:a":"aca16a6a","k":"v"},)"
                           R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  const size_t padded = (json.size() + 7) / 8 * 8;
  ASSERT_EQ(bytes.size(), 8 + padded + 4);
  EXPECT_EQ(bytes.substr(0, 8), u64_le(padded));
  EXPECT_EQ(bytes.substr(8, json.size()), json);
  EXPECT_EQ(bytes.substr(8 + json.size(), padded - json.size()),
            std::string(padded - json.size(), ' '));
  const float one = 1.0f;
  EXPECT_EQ(bytes.substr(8 + padded), std::string(reinterpret_cast<const char*>(&one), 4));
}

TEST(Safetensors, RoundTripsEveryDtypeShapeAndViewBitExactly) {
  Generator gen(4);
  TensorMap tensors = {
      {"weights", normal({3, 4}, 0, 1, DType::Float32, gen)},
      {"transposed", normal({4, 3}, 0, 1, DType::Float64, gen).t()},  // a non-contiguous view
      {"counts", randint(-1000, 1000, {5}, gen)},
      {"bytes", from_vector(std::vector<uint8_t>{0, 7, 255})},
      {"scalar", scalar(3.25, DType::Float64)},
      {"empty", zeros({0}, DType::Float32)},
      {"special", tensor({INFINITY, -INFINITY, NAN, -0.0f, 1e-45f})},  // inf, nan, -0, denormal
  };
  const std::string path = ::testing::TempDir() + "/round_trip.safetensors";
  save_safetensors(path, tensors, {{"epoch", "3"}});
  SafetensorsFile file = load_safetensors(path);
  ASSERT_EQ(names_of(file.tensors), names_of(tensors));
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_TRUE(bit_identical(file.tensors[i].second, tensors[i].second)) << tensors[i].first;
  }
  EXPECT_EQ(file.metadata, (Metadata{{"epoch", "3"}}));
  // The header is valid JSON whose data section starts 8-byte aligned.
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(uint8_t(bytes[size_t(i)])) << (8 * i);
  EXPECT_EQ(n % 8, 0u);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["transposed"]["shape"], nlohmann::json::array({3, 4}));
  EXPECT_EQ(header["counts"]["dtype"], "I64");
}

TEST(Safetensors, SavingReplacesTheFileAtomicallyAndAFailedSaveKeepsTheOldOne) {
  const std::string dir = minidl::test::unique_temp_path("atomic_save", "");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/model.safetensors";
  save_safetensors(path, {{"x", tensor({1.0})}});
  save_safetensors(path, {{"x", tensor({2.0})}});
  EXPECT_EQ(values(load_safetensors(path).tensors[0].second), std::vector<double>{2.0});
  const std::string previous = read_file(path);

  // A save that fails after its temporary file has been partly written, as on a disk that fills
  // up mid-save: the file size limit stops writes at 4 KiB of the new 64 KiB checkpoint (and,
  // unlike a read-only directory, also stops root, which CI runs as).
  const TensorMap big = {{"x", full({16384}, 3.0)}};
  {
    minidl::test::FileSizeLimit limit(4096);
    ASSERT_TRUE(limit.active()) << "cannot lower RLIMIT_FSIZE";
    EXPECT_MINIDL_ERROR_CONTAINS(save_safetensors(path, big), "write_file_atomically: " + path,
                                 ": write failed after 4096 of ");
  }
  // The previous checkpoint is byte for byte what it was, and no temporary file is left behind.
  EXPECT_EQ(read_file(path), previous);
  EXPECT_EQ(values(load_safetensors(path).tensors[0].second), std::vector<double>{2.0});
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"model.safetensors"});
  // The limit was the only obstacle: without it the same save goes through.
  save_safetensors(path, big);
  EXPECT_EQ(load_safetensors(path).tensors[0].second.numel(), 16384);
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"model.safetensors"});

  // Invalid maps fail before any file is opened, with the path in the message.
  EXPECT_MINIDL_ERROR(save_safetensors(path, {{"x", tensor({3.0})}, {"x", tensor({4.0})}}),
                      "save_safetensors: " + path + ": duplicate tensor name 'x'");
  EXPECT_MINIDL_ERROR(
      save_safetensors(path, {{"__metadata__", tensor({1.0})}}),
      "save_safetensors: " + path + ": '__metadata__' is reserved and cannot name a tensor");
  EXPECT_EQ(load_safetensors(path).tensors[0].second.numel(), 16384);
  std::filesystem::remove_all(dir);
}

TEST(Safetensors, RejectsBadLengthsAndHeaders) {
  EXPECT_MINIDL_ERROR_CONTAINS(load_safetensors(::testing::TempDir() + "/missing.safetensors"),
                               "load_safetensors: ", "missing.safetensors: cannot open");
  EXPECT_PARSE_ERROR(std::string("abc"),
                     "file of 3 bytes is too short for the 8-byte header length");
  EXPECT_PARSE_ERROR(u64_le(1000) + "{}" + std::string(10, ' '),
                     "header length 1000 exceeds the 12 bytes after the length field");
  EXPECT_PARSE_ERROR(u64_le(uint64_t(1) << 40) + "{}",
                     "header length 1099511627776 exceeds the limit of 100000000 bytes");
  EXPECT_PARSE_ERROR(file_bytes("[1, 2]  ", ""), "the header does not start with '{'");
  EXPECT_MINIDL_ERROR_CONTAINS(parse_safetensors(file_bytes("{\"a\": ", ""), "f"),
                               "load_safetensors: f: invalid JSON header: ", "parse error");
  EXPECT_PARSE_ERROR(file_bytes(R"({"__metadata__": {"k": 1}})", ""),
                     "__metadata__ value of 'k' is not a string");
  EXPECT_PARSE_ERROR(file_bytes(R"({"a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},)"
                                R"( "a": {"dtype": "F32", "shape": [], "data_offsets": [4, 8]}})",
                                std::string(8, '\0')),
                     "the header names 'a' twice");
}

// Little-endian 16-bit values as bytes.
static std::string halves(std::initializer_list<uint16_t> values) {
  std::string out;
  for (uint16_t v : values) {
    out.push_back(char(v & 0xff));
    out.push_back(char(v >> 8));
  }
  return out;
}

TEST(Safetensors, ReadsHalfPrecisionAsFloat32WhenAsked) {
  // Bit patterns with known values: IEEE binary16 (1, -2, 0.5, the largest 65504, the smallest
  // subnormal 2^-24, -0, +-inf, NaN) and bfloat16 (1, -2.5, 3.140625, a float32 subnormal 2^-133,
  // inf).
  const std::string bytes =
      file_bytes(R"({"h": {"dtype": "F16", "shape": [9], "data_offsets": [0, 18]},)"
                 R"( "b": {"dtype": "BF16", "shape": [5], "data_offsets": [18, 28]}}    )",
                 halves({0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00}) +
                     halves({0x3f80, 0xc020, 0x4049, 0x0001, 0x7f80}));
  const SafetensorsFile file = parse_safetensors(bytes, "f", {.half_as_float32 = true});
  ASSERT_EQ(names_of(file.tensors), (std::vector<std::string>{"h", "b"}));
  const Tensor& h = file.tensors[0].second;
  EXPECT_EQ(h.dtype(), DType::Float32);
  EXPECT_EQ(h.shape(), (Shape{9}));
  const std::vector<float> hv = h.to_vector<float>();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(
      std::vector<float>(hv.begin(), hv.begin() + 8),
      (std::vector<float>{1.0f, -2.0f, 0.5f, 65504.0f, std::ldexp(1.0f, -24), -0.0f, inf, -inf}));
  EXPECT_TRUE(std::signbit(hv[5]));
  EXPECT_TRUE(std::isnan(hv[8]));
  EXPECT_EQ(file.tensors[1].second.to_vector<float>(),
            (std::vector<float>{1.0f, -2.5f, 3.140625f, std::ldexp(1.0f, -133), inf}));
  // Without the option the file is refused.
  EXPECT_PARSE_ERROR(bytes,
                     "tensor 'h': F16 is read only as float32, with half_as_float32 "
                     "(nn::load: cast_floating)");
}

TEST(Safetensors, RejectsBadTensorEntries) {
  const std::string four(4, '\0');
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}})", four),
      "tensor 'a': F16 is read only as float32, with half_as_float32 (nn::load: cast_floating)");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}})", four),
      "tensor 'a': unsupported dtype 'F8_E4M3' (minidl reads F32, F64, I64 and U8; F16 and BF16 "
      "as float32)");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", four),
      "tensor 'a': shape [-1] has a size that is not a non-negative integer");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", four),
      "tensor 'a': shape [2] of F32 needs 8 bytes but data_offsets [0, 4] span 4");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "U8", "shape": [1099511627776, 1099511627776],)"
                 R"( "data_offsets": [0, 4]}})",
                 four),
      "tensor 'a': shape [1099511627776, 1099511627776] of U8 needs more than 2^63 bytes but "
      "data_offsets [0, 4] span 4");
  // A zero size does not excuse the others from fitting in 63 bits (they become strides).
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "U8", "shape": [0, 4294967296, 4294967296],)"
                 R"( "data_offsets": [0, 0]}})",
                 ""),
      "tensor 'a': shape [0, 4294967296, 4294967296] of U8 needs more than 2^63 bytes but "
      "data_offsets [0, 0] span 0");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", four),
      "tensor 'a': data_offsets [4, 0] end before they begin");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", four),
      "tensor 'a': data_offsets [4, 8] run past the data section of 4 bytes");
  EXPECT_PARSE_ERROR(file_bytes(R"({"a": {"dtype": "F32", "shape": [1]}})", four),
                     "tensor 'a': needs dtype, shape and data_offsets");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": 1}})", four),
      "tensor 'a': unknown field 'x'");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", four),
      "tensor 'a': data_offsets is not a pair of non-negative integers");
}

TEST(Safetensors, RejectsOverlapsGapsAndUnusedBytes) {
  const std::string eight(8, '\0');
  EXPECT_PARSE_ERROR(file_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                                R"( "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                                eight),
                     "tensors 'a' and 'b' overlap in the data section");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", eight),
      "the data section has a gap of 4 bytes before tensor 'b'");
  EXPECT_PARSE_ERROR(
      file_bytes(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", eight),
      "the data section has 4 trailing bytes that no tensor uses");
}

TEST(Safetensors, ATruncatedFileIsRejected) {
  std::string bytes = serialize_safetensors({{"w", zeros({16})}});
  for (size_t cut : {size_t(4), size_t(20), bytes.size() - 1}) {
    EXPECT_THROW(parse_safetensors(bytes.substr(0, cut), "t"), Error) << "cut at " << cut;
  }
  EXPECT_PARSE_ERROR(bytes.substr(0, bytes.size() - 4),
                     "tensor 'w': data_offsets [0, 64] run past the data section of 60 bytes");
}

// The format has no checksum; minidl's per-tensor CRC-32 in the metadata catches a flipped bit
// in the data, in a checksum and in a checksum's name.
TEST(Safetensors, AFlippedBitInTensorDataIsDetected) {
  const std::string bytes =
      serialize_safetensors({{"w", tensor({1.0, 2.0, 3.0, 4.0})}, {"b", zeros({2})}});
  const SafetensorsFile clean = parse_safetensors(bytes, "f");
  EXPECT_TRUE(clean.metadata.empty());  // the checksums are verified and hidden
  // The bytes of w are the 16 bytes before b's 8 zero bytes at the end.
  std::string flipped = bytes;
  flipped[flipped.size() - 8 - 16 + 5] ^= 0x10;
  EXPECT_MINIDL_ERROR_CONTAINS(parse_safetensors(flipped, "f"),
                               "load_safetensors: f: tensor 'w': checksum mismatch",
                               "(the metadata says CRC-32 8ba71454, the data has ");
  std::string renamed = bytes;
  renamed.replace(renamed.find("crc32:b"), 7, "crc32:c");
  EXPECT_MINIDL_ERROR(parse_safetensors(renamed, "f"),
                      "load_safetensors: f: tensor 'b' has no checksum although the file's other "
                      "tensors have one");
}

TEST(Safetensors, FilesWithoutChecksumsStillLoadAndTheKeysAreReserved) {
  const std::string eight(8, '\0');
  const SafetensorsFile file = parse_safetensors(
      file_bytes(R"({"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}})", eight), "f");
  ASSERT_EQ(file.tensors.size(), 1u);
  EXPECT_EQ(file.tensors[0].second.item(), 0.0);
  EXPECT_MINIDL_ERROR(
      serialize_safetensors({{"a", zeros({1})}}, {{"crc32:a", "00000000"}}),
      "save_safetensors: metadata key 'crc32:a' is reserved for the tensor checksums");
}

TEST(Safetensors, ADirectoryOrAFifoIsNamedNotReadAsOutOfMemory) {
  const std::string dir = ::testing::TempDir() + "/a_directory.safetensors";
  std::filesystem::create_directories(dir);
  EXPECT_MINIDL_ERROR(load_safetensors(dir),
                      "load_safetensors: " + dir + ": is a directory, not a safetensors file");
  const std::string fifo = ::testing::TempDir() + "/a_fifo.safetensors";
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_MINIDL_ERROR(load_safetensors(fifo),
                      "load_safetensors: " + fifo + ": is not a regular file (a FIFO or a device)");
  std::filesystem::remove(fifo);
  std::filesystem::remove(dir);
}
