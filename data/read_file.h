// Reading a whole file into memory, with errors that name the caller and the path. The parsers
// (IDX, .npy, images) work on bytes in memory, which is also what their fuzz targets feed them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minidl::data {

// The most read_file reads unless told otherwise: Fashion-MNIST's largest file is 47 MB.
inline constexpr size_t kReadFileMaxBytes = size_t(1) << 31;

// The bytes of `path`; throws "<op>: <path>: cannot open: No such file or directory" and alike.
// Only regular files are read: a device (/dev/zero), a FIFO or a directory is refused before a
// byte is read, since none of them has an end a parser can trust. The limit applies while
// reading, so a file that grows as it is read cannot exhaust memory either.
std::vector<uint8_t> read_file(const std::string& path, std::string_view op,
                               size_t max_bytes = kReadFileMaxBytes);

}  // namespace minidl::data
