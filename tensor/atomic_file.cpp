#include "tensor/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tensor/error.h"

namespace minidl {

namespace {

std::string errno_text() { return std::strerror(errno); }

// Closes the descriptor and removes the temporary file unless commit() was called.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& target) {
    // pid + counter keeps concurrent writers (threads or processes) off each other's temp files.
    static std::atomic<unsigned> counter{0};
    path_ = target + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    MINIDL_CHECK(fd_ >= 0, "write_file_atomically: " << target << ": cannot create " << path_
                                                     << ": " << errno_text());
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

// fsync of the directory makes the rename itself durable (POSIX leaves it in the page cache
// otherwise). Some file systems refuse fsync on a directory; that only weakens durability, so
// the error is ignored.
void sync_directory(const std::string& file_path) {
  std::filesystem::path dir = std::filesystem::path(file_path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes) {
  MINIDL_CHECK(!path.empty(), "write_file_atomically: empty path");
  TemporaryFile temp(path);
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(temp.fd(), p, left);
    if (n < 0 && errno == EINTR) continue;
    MINIDL_CHECK(n > 0, "write_file_atomically: " << path << ": write failed after "
                                                  << (bytes.size() - left) << " of " << bytes.size()
                                                  << " bytes: " << errno_text());
    p += n;
    left -= size_t(n);
  }
  MINIDL_CHECK(::fsync(temp.fd()) == 0,
               "write_file_atomically: " << path << ": fsync failed: " << errno_text());
  MINIDL_CHECK(::close(temp.release()) == 0,
               "write_file_atomically: " << path << ": close failed: " << errno_text());
  MINIDL_CHECK(::rename(temp.path().c_str(), path.c_str()) == 0,
               "write_file_atomically: " << path << ": cannot rename " << temp.path()
                                         << " over it: " << errno_text());
  temp.commit();
  sync_directory(path);
}

}  // namespace minidl
