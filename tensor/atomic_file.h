// Writing a file so that readers only ever see the old contents or the complete new contents:
// the bytes go to a temporary file in the same directory, are flushed to disk (fsync), and the
// temporary file is renamed over the target. A crash mid-write (power loss, kill -9 during a
// checkpoint) then leaves the previous file intact instead of a truncated one.
#pragma once

#include <string>
#include <string_view>

namespace minidl {

// Replaces `path` with `bytes` atomically. Throws minidl::Error naming the path and the failing
// system call; the temporary file is removed on failure.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace minidl
