// The flags that define a run, stored in its checkpoint's metadata ("--lr": "0.001", ...) and
// checked when it is resumed: a flag left out takes the checkpoint's value, a flag given with the
// checkpoint's value is fine, and a flag given with another value is refused (UsageError: the
// flag, the saved value and the given one) unless changing it is legitimate (--epochs: train
// longer), which is then announced.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace minidl::examples {

class RunSettings {
 public:
  enum class OnResume { MustMatch, MayChange };

  explicit RunSettings(CLI::App& app) : app_(app) {}

  // `flag` names an option of the app ("--lr"); the value is read when the run is saved and
  // written by resume_from.
  void add(const std::string& flag, int64_t& value, OnResume policy = OnResume::MustMatch);
  void add(const std::string& flag, uint64_t& value, OnResume policy = OnResume::MustMatch);
  void add(const std::string& flag, double& value, OnResume policy = OnResume::MustMatch);
  void add(const std::string& flag, std::string& value, OnResume policy = OnResume::MustMatch);
  // A setting whose policy depends on others (vae's --data-dir may move Fashion-MNIST's files,
  // but under --data folder it is the data set itself): `policy` is asked on resume, after the
  // settings added before this one have taken their resumed values.
  void add(const std::string& flag, std::string& value, std::function<OnResume()> policy);

  // The settings as checkpoint metadata (doubles with 17 digits, so they round-trip exactly).
  std::map<std::string, std::string> metadata() const;

  // Takes the saved settings of `path` for the flags not given and checks the given ones. Returns
  // the changes that were allowed ("--epochs 5 (was 2)"), for the run's first output line. Old
  // checkpoints without a setting keep the flag's value.
  std::vector<std::string> resume_from(const std::map<std::string, std::string>& saved,
                                       const std::string& path);

  // The saved value of `flag` before resume_from replaced it ("" when there was none).
  std::string saved_value(const std::string& flag) const;

 private:
  using Value = std::variant<int64_t*, uint64_t*, double*, std::string*>;
  struct Setting {
    std::string flag;
    Value value;
    std::function<OnResume()> policy;
  };
  bool given(const std::string& flag) const;

  CLI::App& app_;
  std::vector<Setting> settings_;
  std::map<std::string, std::string> saved_;
};

// Under mpirun every rank parses its own command line, and a rank given other values (--seed 5,
// --epochs 3, --batch-size 32) would train another run on its shard, or hang the job when its
// steps stop matching the others' collectives. Before the first step every rank sends the
// settings it resolved (`settings`, after resume_from, and `extra`: run-wide choices that are not
// stored, such as --resume and --out) to every other; the lowest rank that differs from rank 0
// throws UsageError naming the flag and both values, and the others wait for its MPI_Abort.
// Collective; does nothing in a one-process run.
void check_same_settings_on_every_rank(const RunSettings& settings,
                                       const std::map<std::string, std::string>& extra = {});

// The first line of a resumed run: "<program>: resuming <path> after epoch 3; changed: --epochs
// 5 (was 3)". `what` is "resuming" or alike, `position` "epoch 3" or "step 2000".
void print_resume_line(const std::string& program, const std::string& what, const std::string& path,
                       const std::string& position, const std::vector<std::string>& changes);

// A double as the shortest text that reads back as the same value, as settings are stored.
std::string format_setting(double value);

}  // namespace minidl::examples
