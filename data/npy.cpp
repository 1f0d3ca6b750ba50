#include "data/npy.h"

#include <bit>
#include <cctype>
#include <cstring>

#include "data/element_count.h"
#include "data/read_file.h"
#include "tensor/atomic_file.h"

namespace minidl::data {

// The element bytes are copied as they are in memory, which is the file's byte order only on a
// little-endian machine.
static_assert(std::endian::native == std::endian::little, "npy: big-endian hosts are unsupported");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLength = 6;
constexpr size_t kAlign = 64;                 // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;   // numpy's GROWTH_AXIS_MAX_DIGITS
constexpr size_t kMaxHeaderLength = 1 << 20;  // numpy itself refuses headers over 10000 bytes
constexpr size_t kMaxDimensions = 64;         // numpy 2's NPY_MAXDIMS

// A strict reader of the header dict: the three keys exactly once each, in any order; string,
// boolean and tuple-of-integers values written as Python literals.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view name) : text_(text), name_(name) {}

  void parse(std::string& descr, bool& fortran_order, Shape& shape) {
    bool seen_descr = false, seen_order = false, seen_shape = false;
    skip_spaces();
    expect('{');
    skip_spaces();
    while (peek() != '}') {
      const std::string key = string_literal();
      skip_spaces();
      expect(':');
      skip_spaces();
      if (key == "descr") {
        fail_if(seen_descr, "key 'descr' appears twice");
        descr = string_literal();
        seen_descr = true;
      } else if (key == "fortran_order") {
        fail_if(seen_order, "key 'fortran_order' appears twice");
        fortran_order = boolean_literal();
        seen_order = true;
      } else if (key == "shape") {
        fail_if(seen_shape, "key 'shape' appears twice");
        shape = tuple_literal();
        seen_shape = true;
      } else {
        fail("unknown key '" + key + "'");
      }
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        skip_spaces();
      } else {
        fail_if(peek() != '}', "expected ',' or '}' after the value of '" + key + "'");
      }
    }
    ++pos_;
    fail_if(!seen_descr || !seen_order || !seen_shape,
            "the header needs the keys 'descr', 'fortran_order' and 'shape'");
    // numpy pads with spaces and ends the header with a newline.
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    fail_if(pos_ + 1 != text_.size() || text_[pos_] != '\n',
            "the header must end with spaces and one newline after the dict");
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  [[noreturn]] void fail(const std::string& what) const {
    MINIDL_FAIL("read_npy: " << name_ << ": bad header at byte " << pos_ << ": " << what);
  }
  void fail_if(bool condition, const std::string& what) const {
    if (condition) fail(what);
  }
  void expect(char c) {
    fail_if(peek() != c, std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    const char quote = peek();
    fail_if(quote != '\'' && quote != '"', "expected a quoted string");
    const size_t end = text_.find(quote, pos_ + 1);
    fail_if(end == std::string_view::npos, "unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    fail_if(value.find('\\') != std::string::npos, "escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }
  bool boolean_literal() {
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    fail("expected True or False");
  }
  int64_t integer_literal() {
    fail_if(!std::isdigit(static_cast<unsigned char>(peek())), "expected a dimension");
    int64_t value = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      fail_if(value > (INT64_MAX - 9) / 10, "dimension too large");
      value = value * 10 + (text_[pos_++] - '0');
    }
    return value;
  }
  // "()", "(5,)", "(2, 3)" or "(2, 3,)"; a single element needs its comma, as in Python.
  Shape tuple_literal() {
    Shape shape;
    expect('(');
    skip_spaces();
    bool trailing_comma = false;
    while (peek() != ')') {
      fail_if(shape.size() == kMaxDimensions, "more than 64 dimensions");
      shape.push_back(integer_literal());
      skip_spaces();
      trailing_comma = peek() == ',';
      if (trailing_comma) {
        ++pos_;
        skip_spaces();
      } else {
        fail_if(peek() != ')', "expected ',' or ')' in the shape");
      }
    }
    fail_if(shape.size() == 1 && !trailing_comma, "a 1-d shape is written (n,), not (n)");
    ++pos_;
    return shape;
  }

  std::string_view text_;
  std::string_view name_;
  size_t pos_ = 0;
};

}  // namespace

Tensor parse_npy(std::span<const uint8_t> bytes, std::string_view name) {
  MINIDL_CHECK(
      bytes.size() >= kMagicLength + 2 && std::memcmp(bytes.data(), kMagic, kMagicLength) == 0,
      "read_npy: " << name << ": not a .npy file (no \\x93NUMPY magic)");
  const int major = bytes[6], minor = bytes[7];
  MINIDL_CHECK((major == 1 || major == 2) && minor == 0,
               "read_npy: " << name << ": format version " << major << "." << minor
                            << " is not supported (1.0 or 2.0)");
  // Version 1.0 stores the header length in 2 bytes, 2.0 in 4, both little-endian.
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicLength + 2 + length_bytes;
  MINIDL_CHECK(bytes.size() >= prefix,
               "read_npy: " << name << ": truncated before the header length");
  size_t header_length = 0;
  for (size_t i = 0; i < length_bytes; ++i) header_length |= size_t(bytes[8 + i]) << (8 * i);
  MINIDL_CHECK(header_length <= kMaxHeaderLength,
               "read_npy: " << name << ": header length " << header_length << " is over the "
                            << kMaxHeaderLength << "-byte limit");
  MINIDL_CHECK(bytes.size() >= prefix + header_length,
               "read_npy: " << name << ": truncated header: " << header_length
                            << " bytes declared, " << bytes.size() - prefix << " present");
  const std::string_view header(reinterpret_cast<const char*>(bytes.data() + prefix),
                                header_length);

  std::string descr;
  bool fortran_order = false;
  Shape shape;
  HeaderParser(header, name).parse(descr, fortran_order, shape);

  // A one-byte type has no byte order: numpy writes '|u1', but '<u1' and '>u1' mean the same.
  if (descr == "<u1" || descr == ">u1") descr = "|u1";
  const std::optional<DType> found = dtype_from(&DTypeInfo::npy, descr);
  MINIDL_CHECK(found.has_value(),
               "read_npy: " << name << ": dtype '" << descr
                            << "' is not supported (little-endian float32 "
                               "'<f4', float64 '<f8', int64 '<i8', uint8 '|u1')");
  const DType dtype = *found;
  MINIDL_CHECK(!fortran_order, "read_npy: " << name
                                            << ": Fortran-order arrays are not supported (save "
                                               "np.ascontiguousarray(a) instead)");

  const std::optional<uint64_t> need = data_bytes(shape, dtype_size(dtype));
  const uint64_t have = bytes.size() - prefix - header_length;
  MINIDL_CHECK(need.has_value(), "read_npy: " << name << ": shape " << shape << " of " << dtype
                                              << " is too large for a tensor");
  MINIDL_CHECK(*need == have, "read_npy: " << name << ": shape " << shape << " of " << dtype
                                           << " needs " << *need << " bytes of data, the file has "
                                           << have);
  Tensor out = Tensor::empty(shape, dtype);
  if (*need > 0) std::memcpy(out.raw_data(), bytes.data() + prefix + header_length, *need);
  return out;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file(path, "read_npy"), path); }

std::string encode_npy(const Tensor& tensor) {
  MINIDL_CHECK(tensor.defined(), "write_npy: undefined tensor");
  const Tensor data = tensor.contiguous();
  // The dict exactly as np.save writes it, so files are byte-identical to numpy's.
  std::string dict = std::string("{'descr': '") + std::string(dtype_info(data.dtype()).npy) +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < data.shape().size(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(data.shape()[i]);
  }
  dict += data.dim() == 1 ? ",), }" : "), }";
  // Spare spaces let numpy grow axis 0 in place when appending.
  if (data.dim() > 0)
    dict.append(kGrowthAxisMaxDigits - std::to_string(data.shape()[0]).size(), ' ');

  // Version 1.0 unless the padded header outgrows its 2-byte length.
  int major = 1;
  size_t prefix = kMagicLength + 2 + 2;
  size_t padding = kAlign - (prefix + dict.size() + 1) % kAlign;
  if (dict.size() + 1 + padding > 0xffff) {
    major = 2;
    prefix = kMagicLength + 2 + 4;
    padding = kAlign - (prefix + dict.size() + 1) % kAlign;
  }
  const size_t header_length = dict.size() + padding + 1;
  const size_t data_bytes = size_t(data.numel()) * data.element_size();

  std::string out;
  out.reserve(prefix + header_length + data_bytes);
  out.append(kMagic, kMagicLength);
  out.push_back(char(major));
  out.push_back(0);
  for (size_t i = 0; i < prefix - kMagicLength - 2; ++i)
    out.push_back(char(header_length >> (8 * i)));
  out += dict;
  out.append(padding, ' ');
  out.push_back('\n');
  if (data_bytes > 0) out.append(static_cast<const char*>(data.raw_data()), data_bytes);
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  write_file_atomically(path, encode_npy(tensor));
}

}  // namespace minidl::data
