#include "data/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "tensor/tensor.h"
#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;
using namespace std::string_literals;  // "..."s keeps embedded zero bytes

namespace {

std::vector<uint8_t> as_bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string raw_bytes(const Tensor& t) {
  const Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.raw_data()), size_t(c.numel()) * c.element_size());
}

// A .npy v1.0 file with the given header dict (padded as numpy does) and data bytes.
std::vector<uint8_t> npy_with_header(const std::string& dict, const std::string& data) {
  std::string header = dict;
  const size_t padding = 64 - (10 + header.size() + 1) % 64;
  header.append(padding, ' ');
  header += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file.push_back(char(header.size() & 0xff));
  file.push_back(char(header.size() >> 8));
  return as_bytes(file + header + data);
}

// np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) with NumPy 1.24: the header below, padded
// with spaces to 127 bytes and a newline, then the float32 values 0..5.
const std::string kNumpyHeaderF4 =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"s;
// np.save(f, np.arange(3, dtype=np.uint8)).
const std::string kNumpyHeaderU1 =
    "\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"s;
// np.save(f, np.float64(2.5)): a 0-d array.
const std::string kNumpyHeaderScalar =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (), }"s;

std::string numpy_file(const std::string& header_start, const std::string& data) {
  std::string header = header_start;
  header.append(127 - header.size(), ' ');
  return header + "\n" + data;
}

}  // namespace

TEST(Npy, EncodesExactlyLikeNumpy) {
  const std::string f4 =
      numpy_file(kNumpyHeaderF4, raw_bytes(arange(0.0, 6.0, 1.0, DType::Float32)));
  EXPECT_EQ(encode_npy(arange(0.0, 6.0, 1.0, DType::Float32).view({2, 3})), f4);
  const std::string u1 = numpy_file(kNumpyHeaderU1, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(encode_npy(from_vector(std::vector<uint8_t>{0, 1, 2})), u1);
  const double value = 2.5;
  const std::string scalar =
      numpy_file(kNumpyHeaderScalar, std::string(reinterpret_cast<const char*>(&value), 8));
  EXPECT_EQ(encode_npy(full({}, 2.5, DType::Float64)), scalar);
}

TEST(Npy, ParsesNumpyFiles) {
  const std::string f4 =
      numpy_file(kNumpyHeaderF4, raw_bytes(arange(0.0, 6.0, 1.0, DType::Float32)));
  Tensor t = parse_npy(as_bytes(f4), "f4.npy");
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  // Version 2.0 (np.lib.format.write_array(f, a, version=(2, 0)) for int64 [-1, 7]): a 4-byte
  // header length 0x74 = 116, header padded so the data starts at byte 128.
  std::string v2 =
      "\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '<i8', 'fortran_order': False, "
      "'shape': (2,), }"s;
  v2.append(127 - v2.size(), ' ');
  v2 += '\n';
  const int64_t values[2] = {-1, 7};
  v2.append(reinterpret_cast<const char*>(values), sizeof values);
  EXPECT_EQ(parse_npy(as_bytes(v2), "v2.npy").to_vector<int64_t>(), (std::vector<int64_t>{-1, 7}));
  // Keys in another order and double quotes are still valid Python literals.
  EXPECT_EQ(parse_npy(npy_with_header("{\"shape\": (1,), 'fortran_order': False, 'descr': '<f8'}",
                                      std::string(8, '\0')),
                      "reordered")
                .shape(),
            (Shape{1}));
}

TEST(Npy, RoundTripIsBitExactForEveryDtype) {
  TempDir dir;
  const float nan_payload = std::bit_cast<float>(0x7fc01234u);
  const std::vector<Tensor> tensors = {
      from_vector(std::vector<float>{0.0f, -0.0f, 1e-45f, -3.5f, INFINITY, -INFINITY, nan_payload,
                                     std::numeric_limits<float>::max()},
                  {2, 2, 2}),
      from_vector(
          std::vector<double>{std::bit_cast<double>(0x7ff8000000abcdefull), -0.0, 1e-320, 0.1}),
      from_vector(std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -1, 0,
                                       std::numeric_limits<int64_t>::max()},
                  {1, 4}),
      from_vector(std::vector<uint8_t>{0, 1, 128, 255, 7, 9}, {3, 2}),
      zeros({0, 5}),
      full({}, 42, DType::Int64),
  };
  for (const Tensor& t : tensors) {
    write_npy(dir / "t.npy", t);
    Tensor back = read_npy(dir / "t.npy");
    EXPECT_EQ(back.dtype(), t.dtype());
    EXPECT_EQ(back.shape(), t.shape());
    EXPECT_EQ(raw_bytes(back), raw_bytes(t));
  }
}

TEST(Npy, WritesViewsInCOrder) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}});
  Tensor back = parse_npy(as_bytes(encode_npy(m.t())), "t");
  EXPECT_EQ(back.shape(), (Shape{3, 2}));
  EXPECT_EQ(back.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(Npy, WritesVersion2WhenTheHeaderOutgrows16Bits) {
  // 25000 dimensions of size 1 write "1, " 25000 times: a 75 kB header needs the 4-byte length of
  // version 2.0. (The reader refuses more than 64 dimensions, as NumPy does.)
  const std::string bytes = encode_npy(zeros(Shape(25000, 1)));
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ(bytes[7], 0);
  uint32_t header_length = 0;
  std::memcpy(&header_length, bytes.data() + 8, 4);
  EXPECT_GT(header_length, 65535u);
  EXPECT_EQ((12 + header_length) % 64, 0u);  // data aligned to 64 bytes
  EXPECT_EQ(bytes[12 + header_length - 1], '\n');
  EXPECT_EQ(bytes.size(), 12 + header_length + 4);  // one float32
}

TEST(NpyErrors, Header) {
  auto message = [](const std::string& dict, const std::string& data = std::string(4, '\0')) {
    return error_message([&] { parse_npy(npy_with_header(dict, data), "h.npy"); });
  };
  EXPECT_EQ(error_message([] { parse_npy(as_bytes("PK\x03\x04 zip"), "z.npy"); }),
            "read_npy: z.npy: not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(error_message([] { parse_npy(as_bytes(std::string("\x93NUMPY\x03\x00", 8)), "v3"); }),
            "read_npy: v3: format version 3.0 is not supported (1.0 or 2.0)");
  EXPECT_EQ(error_message([] {
              parse_npy(as_bytes(std::string("\x93NUMPY\x01\x00\xff\x00{", 11)), "short");
            }),
            "read_npy: short: truncated header: 255 bytes declared, 1 present");
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
              HasSubstr("read_npy: h.npy: bad header at byte "));
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
              HasSubstr("unknown key 'extra'"));
  EXPECT_THAT(message("{'descr': '<f4', 'shape': (1,)}"),
              HasSubstr("the header needs the keys 'descr', 'fortran_order' and 'shape'"));
  EXPECT_THAT(message("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}"),
              HasSubstr("key 'descr' appears twice"));
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': False, 'shape': (1)}"),
              HasSubstr("a 1-d shape is written (n,), not (n)"));
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"),
              HasSubstr("expected True or False"));
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"),
              HasSubstr("expected a dimension"));
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x"),
              HasSubstr("the header must end with spaces and one newline after the dict"));
}

TEST(NpyErrors, UnsupportedArrays) {
  auto message = [](const std::string& dict, const std::string& data) {
    return error_message([&] { parse_npy(npy_with_header(dict, data), "a.npy"); });
  };
  EXPECT_EQ(message("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd"),
            "read_npy: a.npy: dtype '>f4' is not supported (little-endian float32 '<f4', float64 "
            "'<f8', int64 '<i8', uint8 '|u1')");
  EXPECT_THAT(message("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", "abcd"),
              HasSubstr("dtype '<i4' is not supported"));
  EXPECT_THAT(message("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "abcd"),
              HasSubstr("Fortran-order arrays are not supported"));
}

TEST(NpyErrors, DataSizeMustMatchShape) {
  auto message = [](const std::string& data) {
    return error_message([&] {
      parse_npy(
          npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data),
          "d.npy");
    });
  };
  EXPECT_EQ(message(std::string(20, '\0')),
            "read_npy: d.npy: shape [2, 3] of float32 needs 24 bytes of data, the file has 20");
  EXPECT_EQ(message(std::string(28, '\0')),
            "read_npy: d.npy: shape [2, 3] of float32 needs 24 bytes of data, the file has 28");
  EXPECT_THAT(error_message([] {
                parse_npy(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                          "(4294967296, 4294967296, 4294967296), }",
                                          ""),
                          "huge.npy");
              }),
              HasSubstr("read_npy: huge.npy: shape [4294967296, 4294967296, 4294967296] of "
                        "float64 is too large for a tensor"));
  EXPECT_EQ(error_message([] { read_npy("/no/such/file.npy"); }),
            "read_npy: /no/such/file.npy: cannot open: No such file or directory");
}
