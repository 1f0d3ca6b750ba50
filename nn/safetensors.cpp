#include "nn/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "tensor/atomic_file.h"
#include "tensor/creation.h"

namespace minidl::nn {

// Tensor bytes are copied as they are in memory, which is the format's byte order only on a
// little-endian machine. (Supporting big-endian hosts would mean byte-swapping here.)
static_assert(std::endian::native == std::endian::little,
              "minidl's safetensors code assumes a little-endian host");

namespace {

using Json = nlohmann::ordered_json;  // keeps the header's key order: tensors come back in order

void append_u64_le(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(char((value >> (8 * i)) & 0xff));
}

uint64_t read_u64_le(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= uint64_t(static_cast<unsigned char>(bytes[size_t(i)])) << (8 * i);
  return value;
}

// zlib's CRC-32 (Python's zlib.crc32) as 8 lowercase hex digits; zlib counts in 32-bit uInt, so
// longer tensors go in pieces.
std::string checksum(const char* bytes, uint64_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const uInt piece = uInt(std::min<uint64_t>(size, UINT_MAX));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes), piece);
    bytes += piece;
    size -= piece;
  }
  char text[9];
  std::snprintf(text, sizeof text, "%08lx", static_cast<unsigned long>(crc & 0xffffffffUL));
  return text;
}

bool is_checksum_key(const std::string& key) {
  return key.rfind(kSafetensorsChecksumPrefix, 0) == 0;
}

// How an entry's values are stored in the file, when that is not minidl's dtype itself.
enum class Stored { AsDType, Float16, BFloat16 };

// One tensor's entry in the header, validated.
struct Entry {
  std::string name;
  DType dtype;  // the dtype the tensor is read into
  Shape shape;
  uint64_t begin, end;
  Stored stored = Stored::AsDType;
};

// IEEE 754 binary16 to float32. Every half value is a float32, so this is exact: the exponent is
// rebased (bias 15 -> 127), the mantissa widened, infinities and NaNs (payload included) kept, and
// subnormal halves (mantissa * 2^-24) become normal floats.
float float16_to_float32(uint16_t half) {
  const uint32_t sign = uint32_t(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  const uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0) {
    const float magnitude = std::ldexp(float(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  const uint32_t bits =
      sign | (exponent == 0x1f ? 0x7f800000u : (exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}

// bfloat16 is the top half of a float32.
float bfloat16_to_float32(uint16_t half) { return std::bit_cast<float>(uint32_t(half) << 16); }

}  // namespace

std::string serialize_safetensors(const TensorMap& tensors, const Metadata& metadata) {
  Json header = Json::object();
  Metadata all_metadata = metadata;
  for (const auto& [key, value] : metadata) {
    MINIDL_CHECK(!is_checksum_key(key), "save_safetensors: metadata key '"
                                            << key << "' is reserved for the tensor checksums");
  }
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) continue;  // refused below
    const Tensor bytes = tensor.contiguous();
    all_metadata[std::string(kSafetensorsChecksumPrefix) + name] = checksum(
        static_cast<const char*>(bytes.raw_data()), uint64_t(bytes.numel()) * bytes.element_size());
  }
  if (!all_metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [key, value] : all_metadata) meta[key] = value;
    header["__metadata__"] = std::move(meta);
  }
  std::set<std::string> seen;
  uint64_t offset = 0;
  std::vector<Tensor> contiguous;
  contiguous.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    MINIDL_CHECK(!name.empty(), "save_safetensors: a tensor has an empty name");
    MINIDL_CHECK(name != "__metadata__",
                 "save_safetensors: '__metadata__' is reserved and cannot name a tensor");
    MINIDL_CHECK(seen.insert(name).second,
                 "save_safetensors: duplicate tensor name '" << name << "'");
    MINIDL_CHECK(tensor.defined(), "save_safetensors: tensor '" << name << "' is undefined");
    contiguous.push_back(tensor.contiguous());
    const uint64_t nbytes = uint64_t(tensor.numel()) * tensor.element_size();
    header[name] = {{"dtype", std::string(dtype_info(tensor.dtype()).safetensors)},
                    {"shape", tensor.shape()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }

  std::string json;
  try {
    json = header.dump();  // compact, as the reference writer
  } catch (const nlohmann::json::exception& e) {
    MINIDL_FAIL(
        "save_safetensors: cannot encode the header (names and metadata must be valid "
        "UTF-8): "
        << e.what());
  }
  json.append((8 - json.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned

  std::string out;
  out.reserve(8 + json.size() + size_t(offset));
  append_u64_le(out, json.size());
  out += json;
  for (const Tensor& t : contiguous) {
    out.append(static_cast<const char*>(t.raw_data()), size_t(t.numel()) * t.element_size());
  }
  return out;
}

void save_safetensors(const std::string& path, const TensorMap& tensors, const Metadata& metadata) {
  std::string bytes;
  try {
    bytes = serialize_safetensors(tensors, metadata);
  } catch (const Error& e) {
    // Put the path in the message: "save_safetensors: <path>: ...".
    std::string message = e.what();
    const std::string prefix = "save_safetensors: ";
    if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
    MINIDL_FAIL("save_safetensors: " << path << ": " << message);
  }
  write_file_atomically(path, bytes);
}

namespace {

// Inside Parser: every message starts "load_safetensors: <source>: ".
#define PARSE_CHECK(cond, message_stream) \
  MINIDL_CHECK(cond, "load_safetensors: " << source_ << ": " << message_stream)

class Parser {
 public:
  Parser(std::string_view bytes, const std::string& source, const SafetensorsReadOptions& options)
      : bytes_(bytes), source_(source), options_(options) {}

  SafetensorsFile parse() {
    PARSE_CHECK(bytes_.size() >= 8,
                "file of " << bytes_.size() << " bytes is too short for the 8-byte header length");
    const uint64_t header_length = read_u64_le(bytes_);
    const uint64_t available = bytes_.size() - 8;
    PARSE_CHECK(header_length <= kSafetensorsMaxHeaderBytes,
                "header length " << header_length << " exceeds the limit of "
                                 << kSafetensorsMaxHeaderBytes << " bytes");
    PARSE_CHECK(header_length <= available, "header length " << header_length << " exceeds the "
                                                             << available
                                                             << " bytes after the length field");
    data_ = bytes_.substr(8 + header_length);

    std::vector<Entry> entries = parse_header(bytes_.substr(8, header_length));
    check_layout(entries);

    check_checksums(entries);

    SafetensorsFile file;
    file.metadata = std::move(metadata_);
    file.tensors.reserve(entries.size());
    for (const Entry& entry : entries) {
      Tensor t = Tensor::empty(entry.shape, entry.dtype);
      const char* bytes = data_.data() + entry.begin;
      if (entry.stored != Stored::AsDType) {
        float* out = t.data<float>();
        for (int64_t i = 0; i < t.numel(); ++i) {
          const uint16_t half = uint16_t(uint8_t(bytes[2 * i]) | uint8_t(bytes[2 * i + 1]) << 8);
          out[i] = entry.stored == Stored::Float16 ? float16_to_float32(half)
                                                   : bfloat16_to_float32(half);
        }
      } else if (entry.end > entry.begin) {
        std::memcpy(t.raw_data(), bytes, size_t(entry.end - entry.begin));
      }
      file.tensors.emplace_back(entry.name, std::move(t));
    }
    return file;
  }

 private:
  std::vector<Entry> parse_header(std::string_view text) {
    PARSE_CHECK(!text.empty() && text.front() == '{', "the header does not start with '{'");
    // Keys seen at the top level: nlohmann keeps one of two duplicate keys silently, so
    // duplicates are caught while parsing.
    std::set<std::string> keys;
    std::string duplicate;
    auto on_event = [&](int depth, nlohmann::json::parse_event_t event, Json& parsed) {
      if (event == nlohmann::json::parse_event_t::key && depth == 1 && duplicate.empty()) {
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!keys.insert(key).second) duplicate = key;
      }
      return true;
    };
    Json header;
    try {
      header = Json::parse(text.begin(), text.end(), on_event);
    } catch (const nlohmann::json::exception& e) {
      PARSE_CHECK(false, "invalid JSON header: " << e.what());
    }
    PARSE_CHECK(duplicate.empty(), "the header names '" << duplicate << "' twice");
    PARSE_CHECK(header.is_object(), "the header is not a JSON object");

    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
      if (it.key() == "__metadata__") {
        parse_metadata(it.value());
      } else {
        entries.push_back(parse_entry(it.key(), it.value()));
      }
    }
    return entries;
  }

  void parse_metadata(const Json& meta) {
    PARSE_CHECK(meta.is_object(), "__metadata__ is not a JSON object");
    for (auto it = meta.begin(); it != meta.end(); ++it) {
      PARSE_CHECK(it.value().is_string(),
                  "__metadata__ value of '" << it.key() << "' is not a string");
      metadata_[it.key()] = it.value().get<std::string>();
    }
  }

  Entry parse_entry(const std::string& name, const Json& info) {
    Entry entry{name, DType::Float32, {}, 0, 0};
    PARSE_CHECK(!name.empty(), "a tensor has an empty name");
    PARSE_CHECK(info.is_object(), "tensor '" << name << "': entry is not a JSON object");
    for (auto it = info.begin(); it != info.end(); ++it) {
      PARSE_CHECK(it.key() == "dtype" || it.key() == "shape" || it.key() == "data_offsets",
                  "tensor '" << name << "': unknown field '" << it.key() << "'");
    }
    PARSE_CHECK(info.contains("dtype") && info.contains("shape") && info.contains("data_offsets"),
                "tensor '" << name << "': needs dtype, shape and data_offsets");

    const Json& dtype = info["dtype"];
    PARSE_CHECK(dtype.is_string(), "tensor '" << name << "': dtype is not a string");
    const std::string& dtype_name = dtype.get_ref<const std::string&>();
    const bool half = dtype_name == "F16" || dtype_name == "BF16";
    PARSE_CHECK(!half || options_.half_as_float32,
                "tensor '" << name << "': " << dtype_name
                           << " is read only as float32, with half_as_float32 (nn::load: "
                           << "cast_floating)");
    const std::optional<DType> found =
        half ? DType::Float32 : dtype_from(&DTypeInfo::safetensors, dtype_name);
    PARSE_CHECK(found.has_value(), "tensor '" << name << "': unsupported dtype '" << dtype_name
                                              << "' (minidl reads F32, F64, I64 and U8; F16 "
                                              << "and BF16 as float32)");
    entry.dtype = *found;
    if (half) entry.stored = dtype_name == "F16" ? Stored::Float16 : Stored::BFloat16;

    const Json& shape = info["shape"];
    PARSE_CHECK(shape.is_array() && shape.size() <= 64,
                "tensor '" << name << "': shape is not an array of at most 64 sizes");
    // The element count, with overflow detection: a hostile shape can neither wrap around to
    // match the byte range nor, with a zero size hiding huge ones, overflow the strides later.
    uint64_t nonzero_product = 1;
    bool overflow = false, has_zero = false;
    for (const Json& size : shape) {
      PARSE_CHECK(size.is_number_unsigned(), "tensor '" << name << "': shape " << shape.dump()
                                                        << " has a size that is not a "
                                                        << "non-negative integer");
      const uint64_t s = size.get<uint64_t>();
      entry.shape.push_back(int64_t(std::min<uint64_t>(s, uint64_t(INT64_MAX))));
      if (s == 0) {
        has_zero = true;
        continue;
      }
      if (nonzero_product > uint64_t(INT64_MAX) / s) overflow = true;
      nonzero_product *= s;
    }
    const uint64_t item = half ? 2 : dtype_size(entry.dtype);
    if (nonzero_product > uint64_t(INT64_MAX) / item) overflow = true;
    const uint64_t numel = has_zero ? 0 : nonzero_product;

    const Json& offsets = info["data_offsets"];
    PARSE_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                    offsets[1].is_number_unsigned(),
                "tensor '" << name << "': data_offsets is not a pair of non-negative integers");
    entry.begin = offsets[0].get<uint64_t>();
    entry.end = offsets[1].get<uint64_t>();
    PARSE_CHECK(entry.begin <= entry.end, "tensor '" << name << "': data_offsets [" << entry.begin
                                                     << ", " << entry.end
                                                     << "] end before they begin");
    PARSE_CHECK(
        !overflow && numel * item == entry.end - entry.begin,
        "tensor '" << name << "': shape " << shape_str(entry.shape) << " of " << dtype_name
                   << " needs "
                   << (overflow ? std::string("more than 2^63") : std::to_string(numel * item))
                   << " bytes but data_offsets [" << entry.begin << ", " << entry.end << "] span "
                   << (entry.end - entry.begin));
    PARSE_CHECK(entry.end <= data_.size(),
                "tensor '" << name << "': data_offsets [" << entry.begin << ", " << entry.end
                           << "] run past the data section of " << data_.size() << " bytes");
    return entry;
  }

  // The byte ranges, in order, must tile the data section: no overlap, no gap, nothing left over.
  void check_layout(std::vector<Entry>& entries) const {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t cursor = 0;
    const Entry* previous = nullptr;
    for (const Entry& entry : entries) {
      PARSE_CHECK(entry.begin >= cursor, "tensors '" << (previous ? previous->name : "")
                                                     << "' and '" << entry.name
                                                     << "' overlap in the data section");
      PARSE_CHECK(entry.begin == cursor, "the data section has a gap of "
                                             << (entry.begin - cursor) << " bytes before tensor '"
                                             << entry.name << "'");
      cursor = entry.end;
      previous = &entry;
    }
    PARSE_CHECK(cursor == data_.size(), "the data section has "
                                            << (data_.size() - cursor)
                                            << " trailing bytes that no tensor uses");
  }

  // A file with checksums must have one for every tensor, each matching its bytes: a flipped bit
  // in a checksum key or value fails as surely as one in the data. The keys are then removed.
  void check_checksums(const std::vector<Entry>& entries) {
    std::map<std::string, std::string> sums;
    for (auto it = metadata_.begin(); it != metadata_.end();) {
      if (!is_checksum_key(it->first)) {
        ++it;
        continue;
      }
      sums[it->first.substr(kSafetensorsChecksumPrefix.size())] = it->second;
      it = metadata_.erase(it);
    }
    if (sums.empty()) return;  // written by another tool
    for (const Entry& entry : entries) {
      auto it = sums.find(entry.name);
      PARSE_CHECK(it != sums.end(), "tensor '" << entry.name << "' has no checksum although the "
                                               << "file's other tensors have one");
      const std::string actual = checksum(data_.data() + entry.begin, entry.end - entry.begin);
      PARSE_CHECK(it->second == actual,
                  "tensor '" << entry.name << "': checksum mismatch (the metadata says CRC-32 "
                             << it->second << ", the data has " << actual
                             << "): the file is corrupt");
      sums.erase(it);
    }
    PARSE_CHECK(sums.empty(), "the metadata has a checksum for '"
                                  << sums.begin()->first << "', which is not a tensor in the file");
  }

  std::string_view bytes_;
  std::string_view data_;
  const std::string& source_;
  const SafetensorsReadOptions& options_;
  Metadata metadata_;
};

#undef PARSE_CHECK

}  // namespace

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source,
                                  const SafetensorsReadOptions& options) {
  return Parser(bytes, source, options).parse();
}

SafetensorsFile load_safetensors(const std::string& path, const SafetensorsReadOptions& options) {
  // O_NONBLOCK so that a FIFO cannot block the open; only a regular file is read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  MINIDL_CHECK(fd >= 0, "load_safetensors: " << path << ": cannot open: " << std::strerror(errno));
  std::unique_ptr<FILE, int (*)(FILE*)> file(::fdopen(fd, "rb"), &std::fclose);
  if (file == nullptr) ::close(fd);
  MINIDL_CHECK(file != nullptr,
               "load_safetensors: " << path << ": cannot open: " << std::strerror(errno));
  struct stat info {};
  MINIDL_CHECK(::fstat(fd, &info) == 0,
               "load_safetensors: " << path << ": cannot stat: " << std::strerror(errno));
  MINIDL_CHECK(!S_ISDIR(info.st_mode),
               "load_safetensors: " << path << ": is a directory, not a safetensors file");
  MINIDL_CHECK(S_ISREG(info.st_mode),
               "load_safetensors: " << path << ": is not a regular file (a FIFO or a device)");
  std::string bytes(size_t(info.st_size), '\0');
  const size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
  MINIDL_CHECK(got == bytes.size(), "load_safetensors: " << path << ": read " << got << " of "
                                                         << bytes.size() << " bytes");
  return parse_safetensors(bytes, path, options);
}

}  // namespace minidl::nn
