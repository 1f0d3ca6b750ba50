// kill -9 at random moments, some of them in the middle of a checkpoint save: after every kill the
// run folder holds a loadable checkpoint (or none yet), the next start removes the temporaries
// the kill left, and the run, resumed again and again, ends with exactly the state of a run that
// was never interrupted.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "examples/common/run_folder.h"
#include "nn/safetensors.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A small gan2d run (no data set to load, so a start costs milliseconds): 200 steps with a
// checkpoint of about 0.45 MB every 20.
std::vector<std::string> gan2d_arguments(const fs::path& out, bool resume) {
  std::vector<std::string> args = {
      "--steps",  "200", "--eval-every", "20", "--eval-samples", "200",       "--batch-size", "64",
      "--hidden", "128", "--threads",    "1",  "--out",          out.string()};
  if (resume) args.push_back("--resume");
  return args;
}

// Starts the program in its own process group (so that a kill takes its gnuplot child too, as a
// terminal's would), output discarded.
pid_t start(const fs::path& program, const std::vector<std::string>& args) {
  // Everything allocated before fork: the child of a threaded process may only call
  // async-signal-safe functions until it execs.
  std::vector<char*> argv = {const_cast<char*>(program.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // in the parent too, so that the group exists before any kill
  return pid;
}

// The temporary files in the folder (all kinds RunFolder removes).
std::set<std::string> temporaries(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (examples::is_stale_temporary_name(name)) names.insert(name);
  }
  return names;
}

// Whether a checkpoint save is under way: a temporary checkpoint that an earlier kill did not
// leave.
bool saving(const fs::path& dir, const std::set<std::string>& left_earlier) {
  for (const std::string& name : temporaries(dir)) {
    if (name.rfind("checkpoint.safetensors.tmp.", 0) == 0 && !left_earlier.contains(name)) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST(KillNine, RunFolderSurvivesKillsAtRandomMomentsIncludingMidSave) {
  const fs::path program = example_program("gan2d");
  const fs::path dir = fresh_test_dir("kill");
  const fs::path straight = dir / "straight", killed = dir / "killed";

  const auto began = Clock::now();
  const pid_t reference = start(program, gan2d_arguments(straight, false));
  int status = 0;
  ASSERT_EQ(::waitpid(reference, &status, 0), reference);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const double run_ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();

  std::mt19937 random(19);
  int kills = 0, mid_save = 0;
  bool finished = false;
  std::set<std::string> pending;  // temporaries left by kills, to be gone after the next start
  for (int attempt = 0; attempt < 20 && !finished; ++attempt) {
    const bool resume = fs::exists(killed / "checkpoint.safetensors");
    const pid_t pid = start(program, gan2d_arguments(killed, resume));
    // Until there is a checkpoint, the kill waits for it (so the run makes progress); then every
    // other attempt waits for a save to begin, and the others pick a moment.
    enum class When {
      AfterFirstCheckpoint,
      AtSave,
      Random
    } when = !resume            ? When::AfterFirstCheckpoint
             : attempt % 2 == 1 ? When::AtSave
                                : When::Random;
    // A fifth of a run at most, so that most attempts end in a kill rather than at the end.
    const double delay_ms = std::uniform_real_distribution<double>(0, run_ms / 5)(random);
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double, std::milli>(
                                                 when == When::Random ? delay_ms : 2 * run_ms));
    bool exited = false;
    while (Clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      if (when == When::AtSave && saving(killed, pending)) break;
      if (when == When::AfterFirstCheckpoint && fs::exists(killed / "checkpoint.safetensors")) {
        when = When::Random;  // now kill within the next few milliseconds
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(delay_ms / 10));
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    bool in_save = false;
    if (!exited) {
      ::kill(-pid, SIGKILL);
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      exited = !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
      // A temporary checkpoint of this run outlived it: the kill landed inside a save.
      in_save = !exited && saving(killed, pending);
    }
    if (exited) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "attempt " << attempt;
      finished = true;
    } else {
      ++kills;
      mid_save += in_save;
    }
    // A run that got as far as a save (or to its end) had started properly, clean-up included:
    // nothing an earlier kill left may remain.
    if (exited || in_save) {
      for (const std::string& name : pending) {
        EXPECT_FALSE(fs::exists(killed / name)) << name << " survived a start, attempt " << attempt;
      }
      pending.clear();
    }
    if (!exited) {
      for (const std::string& name : temporaries(killed)) pending.insert(name);
    }
    // Whatever the moment, the checkpoint is whole: it loads, checksums and all.
    if (fs::exists(killed / "checkpoint.safetensors")) {
      EXPECT_NO_THROW(nn::load_safetensors((killed / "checkpoint.safetensors").string()))
          << "attempt " << attempt;
    }
  }
  std::printf("%d kills, %d of them during a save\n", kills, mid_save);
  EXPECT_GE(kills, 5);
  EXPECT_GE(mid_save, 1) << "no kill landed in a save";

  // Run to the end: the start must remove every temporary the kills left.
  if (!finished) {
    const pid_t pid =
        start(program, gan2d_arguments(killed, fs::exists(killed / "checkpoint.safetensors")));
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_TRUE(temporaries(killed).empty());
  const nn::SafetensorsFile a =
      nn::load_safetensors((straight / "checkpoint.safetensors").string());
  const nn::SafetensorsFile b = nn::load_safetensors((killed / "checkpoint.safetensors").string());
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].first, b.tensors[i].first);
    EXPECT_EQ(a.tensors[i].second.to_vector<double>(), b.tensors[i].second.to_vector<double>())
        << a.tensors[i].first;
  }
  EXPECT_EQ(a.metadata, b.metadata);
  EXPECT_EQ(read_metrics_csv(killed / "metrics.csv")["step"],
            (std::vector<double>{20, 40, 60, 80, 100, 120, 140, 160, 180, 200}));
}
