#include "data/jpeg_guard.h"

namespace minidl::data {

namespace {

// stb reads past the end of its input as zeros; so does this.
uint8_t byte_at(std::span<const uint8_t> bytes, size_t i) {
  return i < bytes.size() ? bytes[i] : 0;
}

// The tables of one DHT segment whose length field starts at `p`, read as stbi__process_marker
// reads them: tables follow each other while the remaining length is positive, even past the
// segment's end (stb only compares the length afterwards).
std::string check_huffman_tables(std::span<const uint8_t> bytes, size_t p) {
  int64_t left = int64_t(byte_at(bytes, p)) << 8 | byte_at(bytes, p + 1);
  left -= 2;
  p += 2;
  while (left > 0 && p < bytes.size()) {
    const uint8_t q = byte_at(bytes, p++);
    if ((q >> 4) > 1 || (q & 15) > 3) return "";  // stb rejects the table class or id itself
    int64_t codes = 0;
    for (int i = 0; i < 16; ++i) codes += byte_at(bytes, p++);
    if (codes > 256) {
      return "a Huffman table declares " + std::to_string(codes) + " codes (at most 256)";
    }
    p += size_t(codes);
    left -= 17 + codes;
  }
  return "";
}

}  // namespace

std::string jpeg_defect(std::span<const uint8_t> bytes) {
  // stb accepts fill bytes before SOI too (FF FF D8 is a JPEG to it).
  size_t p = 0;
  while (p < bytes.size() && bytes[p] == 0xFF) ++p;
  if (p == 0 || p >= bytes.size() || bytes[p] != 0xD8) return "";
  ++p;
  while (p < bytes.size()) {
    // Anything that is not a marker is skipped a byte at a time: entropy-coded data, and junk
    // stb tolerates between segments. This finds every marker stb can reach, and perhaps more.
    if (bytes[p] != 0xFF) {
      ++p;
      continue;
    }
    while (p < bytes.size() && bytes[p] == 0xFF) ++p;  // fill bytes
    if (p >= bytes.size()) break;
    const uint8_t marker = bytes[p++];
    // FF 00 is a stuffed zero inside entropy-coded data; SOI, EOI, RSTn and TEM have no length.
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9)) continue;
    if (marker == 0xC4) {
      std::string defect = check_huffman_tables(bytes, p);
      if (!defect.empty()) return defect;
    }
    // Skip the segment by its length (stb either consumes exactly that or stops with an error).
    const size_t length = size_t(byte_at(bytes, p)) << 8 | byte_at(bytes, p + 1);
    p += length < 2 ? 2 : length;
  }
  return "";
}

}  // namespace minidl::data
