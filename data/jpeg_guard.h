// A check stb_image 2.27 (Debian 12's libstb-dev) is missing: a JPEG Huffman table (DHT segment)
// whose 16 code-length counts add up to more than 256 makes stbi__build_huffman and the value
// loop after it write past fixed 257- and 256-byte arrays: memory corruption from a crafted
// file, found by tests/fuzz/image_fuzz.cpp. Upstream stb fixed it in 2.28 ("bad size list");
// until Debian ships that, decode_image runs this check on every JPEG before stb sees it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace minidl::data {

// Walks the JPEG's marker segments the way stb_image finds them (fill bytes, entropy-coded data
// with stuffed zeros and restart markers, junk between segments) and checks every Huffman table
// stb would build. Returns "" when the file is safe to hand to stb, else what is wrong. Bytes
// that are not a JPEG (no FF D8 start, after optional extra FF bytes) are not examined.
std::string jpeg_defect(std::span<const uint8_t> bytes);

}  // namespace minidl::data
