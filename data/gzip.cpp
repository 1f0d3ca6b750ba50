#include "data/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "tensor/error.h"

namespace minidl::data {

bool is_gzip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

// Owns a z_stream set up for gzip decoding.
class Inflater {
 public:
  explicit Inflater(z_stream& stream) : stream_(stream) {
    // 16 + MAX_WBITS: expect a gzip header and trailer (not raw deflate or zlib).
    ok_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
  }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }

 private:
  z_stream& stream_;
  bool ok_ = false;
};

// A first allocation for the output: the size the last member's trailer declares (ISIZE, the
// length modulo 2^32), which saves the copies of growing. It is only a hint: a truncated or
// forged file can claim 4 GiB, so it is capped at 16 times the compressed size (IDX images
// compress about 2:1) and the buffer grows by doubling beyond that.
size_t first_allocation(std::span<const uint8_t> compressed, size_t max_output) {
  size_t hint = 4096;
  if (compressed.size() >= 18) {
    const uint8_t* t = compressed.data() + compressed.size() - 4;
    const size_t declared =
        size_t(t[0]) | size_t(t[1]) << 8 | size_t(t[2]) << 16 | size_t(t[3]) << 24;
    hint = std::max(hint, std::min(declared, 16 * compressed.size()));
  }
  return std::min(hint, max_output);
}

}  // namespace

namespace {

// Inflates at most max_output bytes. Beyond that: an error, or, with `stop`, the output so far.
std::vector<uint8_t> inflate_gzip(std::span<const uint8_t> compressed, std::string_view op,
                                  std::string_view name, size_t max_output, bool stop) {
  MINIDL_CHECK(is_gzip(compressed), op << ": " << name << ": not a gzip file (no 1f 8b magic)");
  z_stream stream{};
  Inflater inflater(stream);
  MINIDL_CHECK(inflater.ok(), op << ": " << name << ": zlib could not start inflating");

  std::vector<uint8_t> out(first_allocation(compressed, max_output));
  size_t produced = 0, fed = 0;
  for (;;) {
    if (stream.avail_in == 0 && fed < compressed.size()) {
      // zlib counts in 32-bit uInt: feed inputs over 4 GiB in pieces.
      const size_t piece = std::min<size_t>(compressed.size() - fed, UINT_MAX);
      stream.next_in = const_cast<Bytef*>(compressed.data() + fed);
      stream.avail_in = uInt(piece);
      fed += piece;
    }
    if (produced == out.size()) {
      if (stop && produced == max_output) break;
      MINIDL_CHECK(out.size() < max_output, op << ": " << name << ": decompresses to more than "
                                               << max_output << " bytes, the limit");
      out.resize(std::min(max_output, std::max<size_t>(out.size() * 2, 4096)));
    }
    const size_t room = std::min<size_t>(out.size() - produced, UINT_MAX);
    stream.next_out = out.data() + produced;
    stream.avail_out = uInt(room);
    const int rc = inflate(&stream, Z_NO_FLUSH);
    produced += room - stream.avail_out;

    const size_t unread = compressed.size() - fed + stream.avail_in;
    if (rc == Z_STREAM_END) {
      if (unread == 0) break;
      // Another gzip member follows (what `cat a.gz b.gz` makes); anything else is an error
      // rather than silently ignored garbage.
      MINIDL_CHECK(is_gzip(compressed.subspan(compressed.size() - unread)),
                   op << ": " << name << ": " << unread
                      << " bytes of unexpected data after the end of the gzip stream");
      MINIDL_CHECK(inflateReset(&stream) == Z_OK, op << ": " << name << ": inflateReset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && unread == 0) {
      MINIDL_FAIL(op << ": " << name << ": truncated gzip stream: the " << compressed.size()
                     << " compressed bytes end before the end-of-stream marker (after " << produced
                     << " decompressed bytes)");
    }
    if (rc == Z_BUF_ERROR) continue;  // no room for output: the loop grows the buffer
    MINIDL_CHECK(rc == Z_OK, op << ": " << name << ": corrupt gzip stream: "
                                << (stream.msg ? stream.msg : "zlib error " + std::to_string(rc)));
  }
  out.resize(produced);
  return out;
}

}  // namespace

std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, std::string_view op,
                            std::string_view name, size_t max_output) {
  return inflate_gzip(compressed, op, name, max_output, /*stop=*/false);
}

std::vector<uint8_t> gunzip_prefix(std::span<const uint8_t> compressed, std::string_view op,
                                   std::string_view name, size_t count) {
  return inflate_gzip(compressed, op, name, count, /*stop=*/true);
}

}  // namespace minidl::data
