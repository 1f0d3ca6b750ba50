#include "examples/common/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace minidl::examples {

namespace fs = std::filesystem;

namespace {

bool all_digits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A path that must be a regular file if it exists at all.
void check_file_or_absent(const fs::path& path, const char* what) {
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(path, ec);
  if (ec || !fs::exists(status)) return;
  MINIDL_CHECK(!fs::is_directory(status),
               path.string() << " is a directory, not " << what << "; move it away");
  MINIDL_CHECK(fs::is_regular_file(status) || fs::is_symlink(status),
               path.string() << " is not a regular file, so it cannot be " << what);
}

}  // namespace

bool is_stale_temporary_name(const std::string& name) {
  if (name.size() > 8 && name.compare(name.size() - 8, 8, ".tmp.png") == 0) return true;
  // <name>.tmp.<pid>.<counter>
  const size_t last = name.rfind('.');
  if (last == std::string::npos || last == 0) return false;
  const size_t middle = name.rfind('.', last - 1);
  if (middle == std::string::npos || middle < 4) return false;
  return name.compare(middle - 4, 4, ".tmp") == 0 &&
         all_digits(name.substr(middle + 1, last - middle - 1)) &&
         all_digits(name.substr(last + 1));
}

RunFolder::RunFolder(const std::string& program, const RunFlags& flags) : path_(flags.out) {
  MINIDL_CHECK(!flags.out.empty(), "--out: empty folder name");
  std::error_code ec;
  if (fs::exists(path_, ec)) {
    MINIDL_CHECK(fs::is_directory(path_, ec), "--out " << flags.out << ": is a file, not a folder");
  } else {
    fs::create_directories(path_, ec);
    MINIDL_CHECK(!ec, "--out " << flags.out << ": cannot create the folder: " << ec.message());
  }

  // The lock: two trainers writing one folder would interleave metrics and overwrite each
  // other's checkpoints, and the clean-up below would remove the other's temporaries. flock is
  // released by the kernel however the holder ends, kill -9 included.
  const std::string lock_path = file(kLock);
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  MINIDL_CHECK(lock_fd_ >= 0,
               lock_path << ": cannot open the folder's lock: " << std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    MINIDL_CHECK(error != EWOULDBLOCK,
                 "--out " << flags.out << ": another trainer is running in this folder");
    MINIDL_FAIL(lock_path << ": cannot lock: " << std::strerror(error));
  }

  // Temporaries of saves that never finished, first, so that even a run refused below leaves a
  // clean folder. Under the lock no other trainer writes here: every one of them is stale.
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_stale_temporary_name(it->path().filename().string()) && it->is_regular_file(ec)) {
      stale.push_back(it->path());
    }
  }
  for (const fs::path& path : stale) {
    if (fs::remove(path, ec)) ++removed_;
  }
  if (removed_ > 0) {
    std::fprintf(stderr, "%s: removed %d temporary file(s) left in %s by an interrupted save\n",
                 program.c_str(), removed_, flags.out.c_str());
  }

  const fs::path checkpoint_path = path_ / kCheckpoint;
  check_file_or_absent(checkpoint_path, "a checkpoint");
  check_file_or_absent(path_ / kMetrics, "a metrics file");
  const bool has_checkpoint = fs::exists(checkpoint_path, ec);
  if (flags.resume) {
    MINIDL_CHECK(has_checkpoint, checkpoint_path.string() << ": no checkpoint to resume from");
  } else if (has_checkpoint) {
    if (!flags.overwrite) {
      throw UsageError("--out " + flags.out +
                       " holds a run (checkpoint.safetensors); continue it with --resume, or "
                       "pass --overwrite to replace it, or choose another --out");
    }
    // The old checkpoint goes first: were the new run to stop before its first save, no
    // checkpoint would be left to pair with the new metrics.
    fs::remove(checkpoint_path);
    fs::remove(path_ / kMetrics, ec);
    std::fprintf(stderr, "%s: --overwrite: replacing the run in %s\n", program.c_str(),
                 flags.out.c_str());
  }
}

RunFolder::~RunFolder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace minidl::examples
