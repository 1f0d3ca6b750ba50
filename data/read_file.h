// Reading a whole file into memory, with errors that name the caller and the path. The parsers
// (IDX, .npy, images) work on bytes in memory, which is also what their fuzz targets feed them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minidl::data {

// The bytes of `path`; throws "<op>: <path>: cannot open: No such file or directory" and alike.
std::vector<uint8_t> read_file(const std::string& path, std::string_view op);

}  // namespace minidl::data
