#include "nn/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
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

// One tensor's entry in the header, validated.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

}  // namespace

std::string serialize_safetensors(const TensorMap& tensors, const Metadata& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
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
  Parser(std::string_view bytes, const std::string& source) : bytes_(bytes), source_(source) {}

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

    SafetensorsFile file;
    file.metadata = std::move(metadata_);
    file.tensors.reserve(entries.size());
    for (const Entry& entry : entries) {
      Tensor t = Tensor::empty(entry.shape, entry.dtype);
      if (entry.end > entry.begin) {
        std::memcpy(t.raw_data(), data_.data() + entry.begin, size_t(entry.end - entry.begin));
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
    const std::optional<DType> found =
        dtype_from(&DTypeInfo::safetensors, dtype.get<std::string>());
    PARSE_CHECK(found.has_value(), "tensor '" << name << "': unsupported dtype '"
                                              << dtype.get<std::string>()
                                              << "' (minidl reads F32, F64, I64 and U8)");
    entry.dtype = *found;

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
    const uint64_t item = dtype_size(entry.dtype);
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
        "tensor '" << name << "': shape " << shape_str(entry.shape) << " of "
                   << dtype_info(entry.dtype).safetensors << " needs "
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

  std::string_view bytes_;
  std::string_view data_;
  const std::string& source_;
  Metadata metadata_;
};

#undef PARSE_CHECK

}  // namespace

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source) {
  return Parser(bytes, source).parse();
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  MINIDL_CHECK(in, "load_safetensors: " << path << ": cannot open: " << std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  MINIDL_CHECK(size >= 0, "load_safetensors: " << path << ": cannot determine the file size");
  in.seekg(0, std::ios::beg);
  std::string bytes(size_t(size), '\0');
  in.read(bytes.data(), size);
  MINIDL_CHECK(in.gcount() == size, "load_safetensors: " << path << ": read " << in.gcount()
                                                         << " of " << size << " bytes");
  return parse_safetensors(bytes, path);
}

}  // namespace minidl::nn
