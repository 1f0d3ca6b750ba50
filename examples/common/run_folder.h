// A trainer's output folder (--out) and what it guarantees (docs/run-folder.md): one trainer at a
// time (a lock), a run that is never replaced unless asked (--overwrite), --resume only where
// there is a checkpoint, and no temporary files left over from a run that was killed mid-save.
#pragma once

#include <filesystem>
#include <string>

#include "examples/common/program.h"

namespace minidl::examples {

class RunFolder {
 public:
  // Creates the folder if needed and takes its lock, then:
  //  - without --resume, refuses (UsageError) a folder that holds a checkpoint unless
  //    --overwrite, which removes the old checkpoint and metrics.csv first;
  //  - with --resume, requires a checkpoint (Error);
  //  - removes the temporary files of saves that never finished (checkpoint.safetensors.tmp.*,
  //    a plot's .tmp.png), saying so on stderr.
  // A checkpoint path that is a directory (or any other non-file) is named as such.
  RunFolder(const std::string& program, const RunFlags& flags);
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string checkpoint() const { return file(kCheckpoint); }
  int removed_temporaries() const { return removed_; }

  static constexpr const char* kCheckpoint = "checkpoint.safetensors";
  static constexpr const char* kMetrics = "metrics.csv";
  static constexpr const char* kLock = ".lock";

 private:
  std::filesystem::path path_;
  int lock_fd_ = -1;
  int removed_ = 0;
};

// True for the names of temporary files that minidl's atomic writers leave when killed:
// "<name>.tmp.<pid>.<counter>" (write_file_atomically) and "<name>.tmp.png" (the curve plots).
bool is_stale_temporary_name(const std::string& name);

}  // namespace minidl::examples
