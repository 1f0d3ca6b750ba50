#include "data/idx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/gzip.h"
#include "test_helpers.h"

using namespace minidl;
using namespace minidl::data;
using namespace minidl::data::testing;
using ::testing::HasSubstr;

namespace {

// A 2x2x3 uint8 IDX file by hand: magic 00 00 08 03, dims 2, 2, 3 big-endian, 12 values.
std::vector<uint8_t> small_ubyte_idx() {
  std::vector<uint8_t> bytes = {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
  for (uint8_t v = 0; v < 12; ++v) bytes.push_back(uint8_t(v * 20));
  return bytes;
}

}  // namespace

TEST(Idx, ParsesUnsignedBytes) {
  Tensor t = parse_idx(small_ubyte_idx(), "small");
  EXPECT_EQ(t.dtype(), DType::UInt8);
  EXPECT_EQ(t.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(t.to_vector<int64_t>(),
            (std::vector<int64_t>{0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220}));
}

TEST(Idx, ParsesBigEndianWiderTypes) {
  // int32 (0x0c) 1-d of 2: -2 = ff ff ff fe, 258 = 00 00 01 02.
  std::vector<uint8_t> ints = {0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 2};
  EXPECT_EQ(parse_idx(ints, "ints").to_vector<int64_t>(), (std::vector<int64_t>{-2, 258}));
  // short (0x0b): -1 = ff ff; sbyte (0x09): 0x80 = -128.
  std::vector<uint8_t> shorts = {0, 0, 0x0b, 1, 0, 0, 0, 1, 0xff, 0xff};
  EXPECT_EQ(parse_idx(shorts, "shorts").to_vector<int64_t>(), (std::vector<int64_t>{-1}));
  std::vector<uint8_t> sbytes = {0, 0, 0x09, 1, 0, 0, 0, 1, 0x80};
  EXPECT_EQ(parse_idx(sbytes, "sbytes").to_vector<int64_t>(), (std::vector<int64_t>{-128}));
  // float (0x0d): 1.5f = 3f c0 00 00; double (0x0e): -2.0 = c0 00 00 00 00 00 00 00.
  std::vector<uint8_t> floats = {0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0};
  Tensor f = parse_idx(floats, "floats");
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{1.5f}));
  std::vector<uint8_t> doubles = {0, 0, 0x0e, 1, 0, 0, 0, 1, 0xc0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(parse_idx(doubles, "doubles").to_vector<double>(), (std::vector<double>{-2.0}));
}

TEST(Idx, ReadsCompressedAndUncompressedFiles) {
  TempDir dir;
  write_bytes(dir / "raw-idx3-ubyte", small_ubyte_idx());
  write_gzip(dir / "packed-idx3-ubyte.gz", small_ubyte_idx());
  const std::vector<int64_t> expected = parse_idx(small_ubyte_idx(), "x").to_vector<int64_t>();
  EXPECT_EQ(read_idx(dir / "raw-idx3-ubyte").to_vector<int64_t>(), expected);
  EXPECT_EQ(read_idx(dir / "packed-idx3-ubyte.gz").to_vector<int64_t>(), expected);
}

TEST(Idx, ReadsConcatenatedGzipMembers) {
  // `cat a.gz b.gz` is a valid gzip file holding a then b.
  TempDir dir;
  std::vector<uint8_t> whole = small_ubyte_idx();
  std::vector<uint8_t> head(whole.begin(), whole.begin() + 10),
      tail(whole.begin() + 10, whole.end());
  write_gzip(dir / "a.gz", head);
  write_gzip(dir / "b.gz", tail);
  std::vector<uint8_t> joined = read_bytes(dir / "a.gz"), second = read_bytes(dir / "b.gz");
  joined.insert(joined.end(), second.begin(), second.end());
  EXPECT_EQ(decode_idx(joined, "joined").to_vector<int64_t>(),
            parse_idx(whole, "x").to_vector<int64_t>());
}

TEST(IdxErrors, MissingFile) {
  TempDir dir;
  EXPECT_EQ(error_message([&] { read_idx(dir / "nope.gz"); }),
            "read_idx: " + (dir / "nope.gz") + ": cannot open: No such file or directory");
}

TEST(IdxErrors, WrongMagic) {
  std::vector<uint8_t> bytes = small_ubyte_idx();
  bytes[0] = 0x12;
  EXPECT_THAT(error_message([&] { parse_idx(bytes, "f.idx"); }),
              HasSubstr("read_idx: f.idx: wrong magic number 0x12000803"));
  bytes = small_ubyte_idx();
  bytes[2] = 0x0a;  // not a type code
  EXPECT_THAT(error_message([&] { parse_idx(bytes, "f.idx"); }),
              HasSubstr("wrong magic number 0x00000a03"));
  EXPECT_THAT(error_message([&] {
                parse_idx(std::vector<uint8_t>{0, 0}, "f.idx");
              }),
              HasSubstr("read_idx: f.idx: 2 bytes is too short"));
}

TEST(IdxErrors, DimensionsDisagreeWithSize) {
  std::vector<uint8_t> bytes = small_ubyte_idx();
  bytes.erase(bytes.end() - 5, bytes.end());  // 7 of 12 values
  EXPECT_EQ(error_message([&] { parse_idx(bytes, "f.idx"); }),
            "read_idx: f.idx: truncated: dimensions [2, 2, 3] of ubyte need 12 bytes of data, "
            "got 7");
  bytes = small_ubyte_idx();
  bytes.push_back(0);
  EXPECT_EQ(error_message([&] { parse_idx(bytes, "f.idx"); }),
            "read_idx: f.idx: dimensions [2, 2, 3] of ubyte need 12 bytes of data, got 13 (1 "
            "bytes too many)");
  // A header cut inside the dimensions.
  bytes = small_ubyte_idx();
  bytes.resize(10);
  EXPECT_EQ(error_message([&] { parse_idx(bytes, "f.idx"); }),
            "read_idx: f.idx: truncated header: 3 dimensions need 16 bytes, got 10");
  // Dimensions whose product overflows 64 bits must not wrap around into a small size.
  std::vector<uint8_t> huge = {0, 0, 0x08, 3};
  for (int d = 0; d < 3; ++d) huge.insert(huge.end(), {0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(error_message([&] { parse_idx(huge, "huge"); }),
            "read_idx: huge: dimensions [4294967295, 4294967295, 4294967295] of ubyte are too "
            "large for a tensor");
  // Nor may a zero-length axis hide huge others (found by fuzz_idx): no data, but the strides
  // would overflow.
  std::vector<uint8_t> hidden = {0, 0, 0x08, 4, 0, 0, 0, 0};
  for (int d = 0; d < 3; ++d) hidden.insert(hidden.end(), {0x80, 0, 0, 0});
  EXPECT_EQ(error_message([&] { parse_idx(hidden, "hidden"); }),
            "read_idx: hidden: dimensions [0, 2147483648, 2147483648, 2147483648] of ubyte are "
            "too large for a tensor");
  // An empty but reasonable shape is fine.
  EXPECT_EQ(
      parse_idx(std::vector<uint8_t>{0, 0, 0x08, 2, 0, 0, 0, 0, 0, 0, 0, 28}, "empty").shape(),
      (Shape{0, 28}));
}

TEST(IdxErrors, TruncatedGzip) {
  TempDir dir;
  std::vector<uint8_t> big(16 + 5000);
  big[2] = 0x08;
  big[3] = 1;
  big[6] = 5000 >> 8;
  big[7] = 5000 & 0xff;
  for (size_t i = 16; i < big.size(); ++i) big[i] = uint8_t(i * 7919 % 251);  // poorly compressible
  write_gzip(dir / "full.gz", big);
  std::vector<uint8_t> compressed = read_bytes(dir / "full.gz");
  compressed.resize(compressed.size() / 2);
  write_bytes(dir / "cut.gz", compressed);
  EXPECT_THAT(error_message([&] { read_idx(dir / "cut.gz"); }),
              HasSubstr("read_idx: " + (dir / "cut.gz") + ": truncated gzip stream: the " +
                        std::to_string(compressed.size()) +
                        " compressed bytes end before the end-of-stream marker"));
}

TEST(IdxErrors, CorruptGzip) {
  TempDir dir;
  write_gzip(dir / "f.gz", small_ubyte_idx());
  std::vector<uint8_t> bytes = read_bytes(dir / "f.gz");
  bytes[bytes.size() - 6] ^= 0xff;  // inside the CRC-32 of the trailer
  EXPECT_EQ(error_message([&] { decode_idx(bytes, "f.gz"); }),
            "read_idx: f.gz: corrupt gzip stream: incorrect data check");
  bytes = read_bytes(dir / "f.gz");
  bytes.push_back('x');
  EXPECT_EQ(error_message([&] { decode_idx(bytes, "f.gz"); }),
            "read_idx: f.gz: 1 bytes of unexpected data after the end of the gzip stream");
}

TEST(IdxErrors, DecompressionLimit) {
  // The limit applies to what the header declares, before the body is decompressed.
  TempDir dir;
  std::vector<uint8_t> declared = {0, 0, 0x08, 1, 0, 1, 0x86, 0xa0};  // [100000] ubyte
  declared.resize(8 + 100000, 0);
  write_gzip(dir / "zeros.gz", declared);
  EXPECT_EQ(error_message([&] { decode_idx(read_bytes(dir / "zeros.gz"), "zeros.gz", 50000); }),
            "read_idx: zeros.gz: the header declares [100000] of ubyte, 100000 bytes of data, "
            "over the limit of 50000 bytes");
  // gunzip's own limit, for callers without a header to go by.
  EXPECT_EQ(
      error_message([&] { gunzip(read_bytes(dir / "zeros.gz"), "read_idx", "zeros.gz", 50000); }),
      "read_idx: zeros.gz: decompresses to more than 50000 bytes, the limit");
}

// A gzip file whose IDX header declares 4,294,967,295 labels is refused from the header: the
// body is never decompressed. Here the body is a second gzip member that is corrupt, so a reader
// that decompressed past the header would report the corruption instead.
TEST(IdxErrors, ForgedSizeIsRefusedBeforeTheBodyIsDecompressed) {
  TempDir dir;
  write_gzip(dir / "header.gz", {0, 0, 0x08, 1, 0xff, 0xff, 0xff, 0xff});
  write_gzip(dir / "body.gz", std::vector<uint8_t>(100000, 7));
  std::vector<uint8_t> file = read_bytes(dir / "header.gz");
  std::vector<uint8_t> body = read_bytes(dir / "body.gz");
  body[body.size() / 2] ^= 0x55;
  body[body.size() / 2 + 1] ^= 0xaa;
  file.insert(file.end(), body.begin(), body.end());
  // The limit, 2^31 bytes, written out: GCC 12 at -O3 warns (-Warray-bounds, a false positive)
  // about a string literal concatenated with std::to_string here.
  static_assert(kIdxMaxBytes == 2147483648u);
  EXPECT_EQ(error_message([&] { decode_idx(file, "labels.gz"); }),
            "read_idx: labels.gz: the header declares [4294967295] of ubyte, 4294967295 bytes of "
            "data, over the limit of 2147483648 bytes");
  const IdxHeader header = decode_idx_header(file, "labels.gz", size_t(1) << 33);
  EXPECT_EQ(header.shape, (Shape{4294967295}));
  EXPECT_EQ(header.data_bytes, 4294967295u);
  EXPECT_EQ(header.header_bytes, 8u);
}

// Decompressing stops one byte after what the header declares: a small file that inflates to
// gigabytes costs no more than its declared size.
TEST(IdxErrors, DecompressesNoMoreThanTheHeaderDeclares) {
  TempDir dir;
  std::vector<uint8_t> bytes = {0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2, 3, 4};
  bytes.resize(bytes.size() + 1000000, 0);  // far more than declared, and a corrupt tail
  write_gzip(dir / "long.gz", bytes);
  std::vector<uint8_t> file = read_bytes(dir / "long.gz");
  file[file.size() - 6] ^= 0xff;  // the trailer's CRC: only a full decompression sees it
  EXPECT_EQ(error_message([&] { decode_idx(file, "long.gz"); }),
            "read_idx: long.gz: dimensions [4] of ubyte need 4 bytes of data, got 5 (1 bytes too "
            "many)");
}
