// A scoped file size limit for tests of what happens when a write fails midway (a full disk, a
// quota): used by the atomic-save tests in tests/nn and tests/data.
#pragma once

#include <sys/resource.h>

#include <csignal>

namespace minidl::test {

// Lowers the file size limit (RLIMIT_FSIZE) for its scope: a write past `bytes` into a regular
// file then fails with EFBIG, as writes fail with ENOSPC on a full disk, for root as well (no
// capability lifts it). SIGXFSZ, which the kernel sends along and whose default action ends the
// process, is ignored meanwhile.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (::getrlimit(RLIMIT_FSIZE, &saved_limit_) != 0 || saved_limit_.rlim_max < bytes) return;
    if (::sigaction(SIGXFSZ, &ignore, &saved_action_) != 0) return;
    rlimit lowered = saved_limit_;
    lowered.rlim_cur = bytes;
    active_ = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
    if (!active_) ::sigaction(SIGXFSZ, &saved_action_, nullptr);
  }
  ~FileSizeLimit() {
    if (!active_) return;
    ::setrlimit(RLIMIT_FSIZE, &saved_limit_);
    ::sigaction(SIGXFSZ, &saved_action_, nullptr);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  bool active() const { return active_; }

 private:
  rlimit saved_limit_ = {};
  struct sigaction saved_action_ = {};
  bool active_ = false;
};

}  // namespace minidl::test
