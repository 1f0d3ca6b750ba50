#include "data/idx.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "data/element_count.h"
#include "data/gzip.h"
#include "data/read_file.h"

namespace minidl::data {

namespace {

struct IdxType {
  const char* name;
  size_t bytes;  // per element in the file
  DType dtype;   // in the tensor
};

bool idx_type(uint8_t code, IdxType& type) {
  switch (code) {
    case 0x08:
      type = {"ubyte", 1, DType::UInt8};
      return true;
    case 0x09:
      type = {"sbyte", 1, DType::Int64};
      return true;
    case 0x0B:
      type = {"short", 2, DType::Int64};
      return true;
    case 0x0C:
      type = {"int", 4, DType::Int64};
      return true;
    case 0x0D:
      type = {"float", 4, DType::Float32};
      return true;
    case 0x0E:
      type = {"double", 8, DType::Float64};
      return true;
    default:
      return false;
  }
}

uint64_t read_big_endian(const uint8_t* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

// Converts n big-endian elements of the given IDX type into the tensor's element type.
void convert_elements(uint8_t code, const uint8_t* in, int64_t n, const Tensor& out) {
  switch (code) {
    case 0x08:
      std::memcpy(out.data<uint8_t>(), in, size_t(n));
      break;
    case 0x09: {
      int64_t* dst = out.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) dst[i] = int8_t(in[i]);
      break;
    }
    case 0x0B: {
      int64_t* dst = out.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) dst[i] = int16_t(read_big_endian(in + 2 * i, 2));
      break;
    }
    case 0x0C: {
      int64_t* dst = out.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) dst[i] = int32_t(read_big_endian(in + 4 * i, 4));
      break;
    }
    case 0x0D: {
      float* dst = out.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        dst[i] = std::bit_cast<float>(uint32_t(read_big_endian(in + 4 * i, 4)));
      }
      break;
    }
    case 0x0E: {
      double* dst = out.data<double>();
      for (int64_t i = 0; i < n; ++i)
        dst[i] = std::bit_cast<double>(read_big_endian(in + 8 * i, 8));
      break;
    }
    default:
      break;
  }
}

}  // namespace

IdxHeader parse_idx_header(std::span<const uint8_t> bytes, std::string_view name) {
  MINIDL_CHECK(bytes.size() >= 4,
               "read_idx: " << name << ": " << bytes.size()
                            << " bytes is too short for the 4-byte magic number");
  const uint8_t code = bytes[2], ndim = bytes[3];
  IdxType type;
  MINIDL_CHECK(bytes[0] == 0 && bytes[1] == 0 && idx_type(code, type),
               "read_idx: " << name << ": wrong magic number 0x" << std::hex << std::setw(8)
                            << std::setfill('0') << read_big_endian(bytes.data(), 4)
                            << ": an IDX file starts with two zero bytes, an element type code "
                               "(0x08, 0x09, 0x0b-0x0e) and the number of dimensions");
  MINIDL_CHECK(ndim >= 1, "read_idx: " << name << ": the header declares 0 dimensions");
  IdxHeader header;
  header.type_code = code;
  header.type_name = type.name;
  header.dtype = type.dtype;
  header.header_bytes = 4 + 4 * uint64_t(ndim);
  MINIDL_CHECK(bytes.size() >= header.header_bytes,
               "read_idx: " << name << ": truncated header: " << int(ndim) << " dimensions need "
                            << header.header_bytes << " bytes, got " << bytes.size());
  for (size_t d = 0; d < ndim; ++d) {
    header.shape.push_back(int64_t(read_big_endian(bytes.data() + 4 + 4 * d, 4)));
  }
  const std::optional<uint64_t> need = data_bytes(header.shape, type.bytes);
  MINIDL_CHECK(need.has_value(), "read_idx: " << name << ": dimensions " << header.shape << " of "
                                              << type.name << " are too large for a tensor");
  header.data_bytes = *need;
  return header;
}

Tensor parse_idx(std::span<const uint8_t> bytes, std::string_view name) {
  const IdxHeader header = parse_idx_header(bytes, name);
  const uint64_t need = header.data_bytes, have = bytes.size() - header.header_bytes;
  MINIDL_CHECK(need <= have, "read_idx: " << name << ": truncated: dimensions " << header.shape
                                          << " of " << header.type_name << " need " << need
                                          << " bytes of data, got " << have);
  MINIDL_CHECK(need == have, "read_idx: " << name << ": dimensions " << header.shape << " of "
                                          << header.type_name << " need " << need
                                          << " bytes of data, got " << have << " (" << (have - need)
                                          << " bytes too many)");
  Tensor out = Tensor::empty(header.shape, header.dtype);
  convert_elements(header.type_code, bytes.data() + header.header_bytes, out.numel(), out);
  return out;
}

IdxHeader decode_idx_header(std::span<const uint8_t> file_bytes, std::string_view name,
                            size_t max_bytes) {
  constexpr size_t kLongestHeader = 4 + 4 * 255;
  const IdxHeader header =
      is_gzip(file_bytes)
          ? parse_idx_header(gunzip_prefix(file_bytes, "read_idx", name, kLongestHeader), name)
          : parse_idx_header(file_bytes, name);
  MINIDL_CHECK(header.data_bytes <= max_bytes - std::min<uint64_t>(max_bytes, header.header_bytes),
               "read_idx: " << name << ": the header declares " << header.shape << " of "
                            << header.type_name << ", " << header.data_bytes
                            << " bytes of data, over the limit of " << max_bytes << " bytes");
  return header;
}

Tensor decode_idx(std::span<const uint8_t> file_bytes, std::string_view name, size_t max_bytes) {
  const IdxHeader header = decode_idx_header(file_bytes, name, max_bytes);
  if (!is_gzip(file_bytes)) return parse_idx(file_bytes, name);
  // One byte more than declared: enough for parse_idx to tell "too many bytes", never more.
  const size_t declared = size_t(header.header_bytes + header.data_bytes);
  return parse_idx(gunzip_prefix(file_bytes, "read_idx", name, declared + 1), name);
}

Tensor decode_idx_rows(std::span<const uint8_t> file_bytes, std::string_view name, int64_t rows,
                       size_t max_bytes) {
  const IdxHeader header = decode_idx_header(file_bytes, name, max_bytes);
  if (rows <= 0 || rows >= header.shape[0]) return decode_idx(file_bytes, name, max_bytes);
  const uint64_t row_bytes = header.data_bytes / uint64_t(header.shape[0]);
  const uint64_t need = header.header_bytes + uint64_t(rows) * row_bytes;
  std::vector<uint8_t> inflated;
  std::span<const uint8_t> bytes = file_bytes;
  if (is_gzip(file_bytes)) {
    inflated = gunzip_prefix(file_bytes, "read_idx", name, size_t(need));
    bytes = inflated;
  }
  MINIDL_CHECK(bytes.size() >= need,
               "read_idx: " << name << ": truncated: the first " << rows << " of " << header.shape
                            << " " << header.type_name << " need " << need
                            << " bytes with the header, got " << bytes.size());
  Shape shape = header.shape;
  shape[0] = rows;
  Tensor out = Tensor::empty(shape, header.dtype);
  convert_elements(header.type_code, bytes.data() + header.header_bytes, out.numel(), out);
  return out;
}

Tensor read_idx(const std::string& path) { return decode_idx(read_file(path, "read_idx"), path); }

}  // namespace minidl::data
