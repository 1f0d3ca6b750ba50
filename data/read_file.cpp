#include "data/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tensor/error.h"

namespace minidl::data {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::vector<uint8_t> read_file(const std::string& path, std::string_view op, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It changes
  // nothing for a regular file, the only kind read below.
  Descriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  MINIDL_CHECK(file.get() >= 0, op << ": " << path << ": cannot open: " << std::strerror(errno));
  struct stat info {};
  MINIDL_CHECK(::fstat(file.get(), &info) == 0,
               op << ": " << path << ": cannot stat: " << std::strerror(errno));
  MINIDL_CHECK(S_ISREG(info.st_mode),
               op << ": " << path << ": is " << kind_of(info.st_mode) << ", not a regular file");
  MINIDL_CHECK(uint64_t(info.st_size) <= max_bytes, op << ": " << path << ": " << info.st_size
                                                       << " bytes is over the limit of "
                                                       << max_bytes << " bytes");
  // The size from fstat is a first allocation only: the file may change while it is read.
  std::vector<uint8_t> bytes(std::max<size_t>(size_t(info.st_size), 1) + 1);
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) bytes.resize(std::min(bytes.size() * 2, max_bytes + 1));
    const ssize_t n = ::read(file.get(), bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) continue;
    MINIDL_CHECK(n >= 0, op << ": " << path << ": read error: " << std::strerror(errno));
    if (n == 0) break;
    used += size_t(n);
    MINIDL_CHECK(used <= max_bytes, op << ": " << path << ": grew past the limit of " << max_bytes
                                       << " bytes while being read");
  }
  bytes.resize(used);
  return bytes;
}

}  // namespace minidl::data
