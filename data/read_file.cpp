#include "data/read_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "tensor/error.h"

namespace minidl::data {

std::vector<uint8_t> read_file(const std::string& path, std::string_view op) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  MINIDL_CHECK(file != nullptr, op << ": " << path << ": cannot open: " << std::strerror(errno));
  std::vector<uint8_t> bytes;
  // Reading in growing chunks rather than trusting a size from fseek: works for pipes and for
  // files that change size while being read.
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) bytes.resize(bytes.empty() ? size_t(1) << 16 : bytes.size() * 2);
    size_t n = std::fread(bytes.data() + used, 1, bytes.size() - used, file.get());
    used += n;
    if (n == 0) break;
  }
  MINIDL_CHECK(!std::ferror(file.get()),
               op << ": " << path << ": read error: " << std::strerror(errno));
  bytes.resize(used);
  return bytes;
}

}  // namespace minidl::data
