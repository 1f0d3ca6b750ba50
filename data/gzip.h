// gzip decompression in memory through zlib, with the two failure modes a reader of downloaded
// files meets: a truncated stream (an interrupted download) and a corrupt one (bad CRC or data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace minidl::data {

// True when the bytes start with the gzip magic number 1f 8b.
bool is_gzip(std::span<const uint8_t> bytes);

// The decompressed contents of a gzip file (several concatenated members are joined, as gunzip
// does). Refuses to produce more than max_output bytes, so a small malicious file cannot exhaust
// memory. Errors read "<op>: <name>: truncated gzip stream: ..." and alike.
std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, std::string_view op,
                            std::string_view name, size_t max_output);

// The first `count` decompressed bytes (all of them when there are fewer): a reader can look at
// a header before deciding whether the rest is worth decompressing. Stops inflating once it has
// them, so nothing after them is checked (nor its CRC, unless the stream ends within them).
std::vector<uint8_t> gunzip_prefix(std::span<const uint8_t> compressed, std::string_view op,
                                   std::string_view name, size_t count);

}  // namespace minidl::data
