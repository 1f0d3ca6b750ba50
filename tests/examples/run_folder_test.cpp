// What a trainer's run folder guarantees under careless and hostile use (docs/run-folder.md): a
// run is never replaced silently, stale temporaries are cleaned up, --resume checks the settings
// and the checkpoint's metadata, a diverging run stops without saving, and small image folders
// train like large ones.
#include "examples/common/run_folder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>

#include "data/png.h"
#include "examples/common/program.h"
#include "examples/common/training_checkpoint.h"
#include "nn/linear.h"
#include "nn/safetensors.h"
#include "program_run.h"
#include "tensor/tensor.h"

using namespace minidl;
using namespace minidl::testing;
namespace fs = std::filesystem;

namespace {

// A small VAE run: 3 steps per epoch on 300 images, a tiny model.
const std::string kVae = "--limit 300 --batch-size 100 --hidden 16 --latent 2 --threads 1";
const std::string kGan2d =
    "--steps 40 --eval-every 20 --eval-samples 100 --batch-size 32 --hidden 16 --threads 1";

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

ProgramRun vae(const std::string& arguments, const fs::path& out) {
  return run_program(example_program("vae"), arguments + " --out " + quoted(out));
}

ProgramRun gan2d(const std::string& arguments, const fs::path& out) {
  return run_program(example_program("gan2d"), arguments + " --out " + quoted(out));
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Rewrites a checkpoint with one metadata value replaced (and valid checksums): what a hostile
// or buggy tool could leave.
void set_metadata(const fs::path& checkpoint, const std::string& key, const std::string& value) {
  nn::SafetensorsFile file = nn::load_safetensors(checkpoint.string());
  file.metadata[key] = value;
  nn::save_safetensors(checkpoint.string(), file.tensors, file.metadata);
}

bool contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

}  // namespace

// A folder of fewer than 320 images holds out fewer than 32 test images, which the
// reconstructions picture used to take; the run must train, draw what it has, and save.
TEST(RunFolder, VaeTrainsOnASmallImageFolder) {
  const fs::path dir = fresh_test_dir("run_folder");
  Generator pixels(3);
  fs::create_directories(dir / "images");
  for (int i = 0; i < 40; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "img%02d.png", i);
    data::write_png((dir / "images" / name).string(),
                    uniform({28, 28}, 0.0, 1.0, DType::Float32, pixels));
  }
  ProgramRun r = vae("--data folder --data-dir " + quoted(dir / "images") +
                         " --epochs 2 --batch-size 8 --hidden 16 --latent 2 --threads 1",
                     dir / "out");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "36 training and 4 test images")) << r.output;
  const nn::SafetensorsFile checkpoint =
      nn::load_safetensors((dir / "out" / "checkpoint.safetensors").string());
  EXPECT_EQ(checkpoint.metadata.at("epoch"), "2");
  EXPECT_TRUE(fs::exists(dir / "out" / "reconstructions.png"));
  EXPECT_EQ(read_metrics_csv(dir / "out" / "metrics.csv")["epoch"], (std::vector<double>{1, 2}));
}

// Under --data folder the folder is the data set: --resume with another --data-dir is refused like
// any other setting (with Fashion-MNIST it may change: the same files may have moved).
TEST(RunFolder, VaeResumeOnAnImageFolderRefusesAnotherFolder) {
  const fs::path dir = fresh_test_dir("run_folder");
  Generator pixels(3);
  for (const char* folder : {"a", "b"}) {
    fs::create_directories(dir / folder);
    for (int i = 0; i < 20; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "img%02d.png", i);
      data::write_png((dir / folder / name).string(),
                      uniform({28, 28}, 0.0, 1.0, DType::Float32, pixels));
    }
  }
  const std::string run = " --epochs 1 --batch-size 6 --hidden 16 --latent 2 --threads 1";
  ASSERT_EQ(vae("--data folder --data-dir " + quoted(dir / "a") + run, dir / "out").exit_code, 0);
  ProgramRun r =
      vae("--resume --epochs 2 --threads 1 --data-dir " + quoted(dir / "b"), dir / "out");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(
      contains(r.output, "vae: --data-dir: " + (dir / "out/checkpoint.safetensors").string() +
                             " was trained with --data-dir " + (dir / "a").string() + ", given " +
                             (dir / "b").string()))
      << r.output;
  EXPECT_EQ(read_metrics_csv(dir / "out" / "metrics.csv")["epoch"], (std::vector<double>{1}));
}

// Each GAN program's checkpoint says which program wrote it; resuming it with another is refused
// by name, before any setting or tensor is compared. Checkpoints without the key are told apart
// by their tensors (a Q head is infogan's, a convolutional critic dcgan's).
TEST(RunFolder, ACheckpointOfAnotherGanProgramIsNamed) {
  const fs::path dir = fresh_test_dir("run_folder");
  struct Case {
    std::string writer, resumer;
    nn::TensorMap tensors;
    nn::Metadata metadata;
  };
  const nn::TensorMap some = {{"generator.0.weight", zeros({2, 2})}};
  for (const Case& c :
       {Case{"dcgan", "infogan", some, {{"program", "dcgan"}, {"epoch", "1"}}},
        Case{"infogan", "dcgan", some, {{"program", "infogan"}, {"epoch", "1"}}},
        Case{"gan", "dcgan", some, {{"program", "gan"}, {"epoch", "1"}}},
        Case{"infogan", "dcgan", {{"q.0.weight", zeros({2, 2})}}, {{"epoch", "1"}}},
        Case{"dcgan", "infogan", {{"critic.0.weight", zeros({64, 1, 4, 4})}}, {{"epoch", "1"}}}}) {
    const fs::path out = dir / (c.writer + "_by_" + c.resumer + std::to_string(c.metadata.size()));
    fs::create_directories(out);
    nn::save_safetensors((out / "checkpoint.safetensors").string(), c.tensors, c.metadata);
    ProgramRun r =
        run_program(example_program(c.resumer), "--resume --threads 1 --out " + quoted(out));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(r.output, c.resumer + ": " + (out / "checkpoint.safetensors").string() +
                            ": this checkpoint was written by " + c.writer + ", not " + c.resumer +
                            "; resume it with " + c.writer + ", or start a new " + c.resumer +
                            " run with another --out\n");
  }
}

// A state holding a NaN or an infinity is never saved, and the message says what is kept: the
// checkpoint already there, or, before the first save, nothing.
TEST(TrainingCheckpoint, ADivergedStateSaysWhetherThereIsAGoodStateToKeep) {
  const fs::path dir = fresh_test_dir("run_folder");
  const std::string path = (dir / "checkpoint.safetensors").string();
  Generator init(1);
  nn::Linear model(2, 2, true, init);
  const examples::CheckpointParts parts{{{"model", &model}}, {}, {}};
  model.weight.data().data<float>()[1] = INFINITY;
  auto message = [&](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const examples::DivergedError& e) {
      return e.what();
    }
    return "(no DivergedError)";
  };
  EXPECT_EQ(message([&] { examples::check_finite_state(parts, path); }),
            "training diverged: model.weight holds an infinity; no checkpoint is written (this "
            "run has not saved one yet: there is no good state to keep)");
  EXPECT_EQ(message([&] { examples::save_training_checkpoint(path, parts, {}); }),
            message([&] { examples::check_finite_state(parts, path); }));
  EXPECT_FALSE(fs::exists(path));
  model.weight.data().data<float>()[1] = 0.5f;
  examples::save_training_checkpoint(path, parts, {});
  model.bias.data().data<float>()[0] = NAN;
  EXPECT_EQ(message([&] { examples::check_finite_state(parts, path); }),
            "training diverged: model.bias holds nan; " + path +
                " is not overwritten (it keeps the last good state)");
}

TEST(RunFolder, ARunIsNeverReplacedWithoutOverwrite) {
  const fs::path out = fresh_test_dir("run_folder") / "run";
  ASSERT_EQ(vae(kVae + " --epochs 2", out).exit_code, 0);
  const std::string checkpoint = file_text(out / "checkpoint.safetensors");
  const std::string metrics = file_text(out / "metrics.csv");

  ProgramRun again = vae(kVae + " --epochs 1", out);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_EQ(again.output,
            "vae: --out " + out.string() +
                " holds a run (checkpoint.safetensors); continue it with --resume, or pass "
                "--overwrite to replace it, or choose another --out\n");
  EXPECT_EQ(file_text(out / "checkpoint.safetensors"), checkpoint);
  EXPECT_EQ(file_text(out / "metrics.csv"), metrics);

  EXPECT_EQ(vae(kVae + " --resume --overwrite", out).exit_code, 2);  // contradictory

  ProgramRun replaced = vae(kVae + " --epochs 1 --overwrite", out);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_TRUE(contains(replaced.output, "vae: --overwrite: replacing the run in"))
      << replaced.output;
  EXPECT_EQ(nn::load_safetensors((out / "checkpoint.safetensors").string()).metadata.at("epoch"),
            "1");
  EXPECT_EQ(read_metrics_csv(out / "metrics.csv")["epoch"], (std::vector<double>{1}));
}

TEST(RunFolder, StaleTemporariesAreRemovedWhenARunStarts) {
  const fs::path out = fresh_test_dir("run_folder") / "run";
  fs::create_directories(out);
  // What kill -9 during a save leaves: write_file_atomically's and the plot's temporaries.
  for (const char* name : {"checkpoint.safetensors.tmp.4194301.0",
                           "checkpoint.safetensors.tmp.77.12", "curves.png.tmp.png"}) {
    std::ofstream(out / name) << "partial";
  }
  std::ofstream(out / "notes.tmp.txt") << "the user's own file";
  ProgramRun r = gan2d(kGan2d, out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "gan2d: removed 3 temporary file(s) left in " + out.string() +
                                     " by an interrupted save"))
      << r.output;
  EXPECT_FALSE(fs::exists(out / "checkpoint.safetensors.tmp.4194301.0"));
  EXPECT_FALSE(fs::exists(out / "checkpoint.safetensors.tmp.77.12"));
  EXPECT_FALSE(fs::exists(out / "curves.png.tmp.png"));
  EXPECT_TRUE(fs::exists(out / "notes.tmp.txt"));
}

TEST(RunFolder, StaleTemporaryNames) {
  using examples::is_stale_temporary_name;
  EXPECT_TRUE(is_stale_temporary_name("checkpoint.safetensors.tmp.123.0"));
  EXPECT_TRUE(is_stale_temporary_name("classifier.safetensors.tmp.9.41"));
  EXPECT_TRUE(is_stale_temporary_name("curves.png.tmp.png"));
  EXPECT_FALSE(is_stale_temporary_name("checkpoint.safetensors"));
  EXPECT_FALSE(is_stale_temporary_name("checkpoint.safetensors.tmp.12a.0"));
  EXPECT_FALSE(is_stale_temporary_name("checkpoint.safetensors.tmp.12."));
  EXPECT_FALSE(is_stale_temporary_name("x.tmp.1"));
  EXPECT_FALSE(is_stale_temporary_name(".tmp.png"));
  EXPECT_FALSE(is_stale_temporary_name("samples_epoch01.png"));
}

// A directory where the checkpoint belongs is named as such (it used to be "out of memory").
TEST(RunFolder, ADirectoryInPlaceOfTheCheckpointIsNamed) {
  const fs::path out = fresh_test_dir("run_folder") / "run";
  fs::create_directories(out / "checkpoint.safetensors");
  for (const char* flags : {"", " --resume"}) {
    ProgramRun r = gan2d(kGan2d + flags, out);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output, "gan2d: " + (out / "checkpoint.safetensors").string() +
                            " is a directory, not a checkpoint; move it away\n");
  }
}

// A NaN must stop the run at once, name the step and the term, keep the last checkpoint and exit
// with 3. The NaN comes from a forged optimizer state: a negative second moment makes Adam take
// the square root of a negative number in its first step.
TEST(RunFolder, VaeStopsWhenTheLossTurnsNaNAndKeepsTheCheckpoint) {
  const fs::path out = fresh_test_dir("run_folder") / "run";
  ASSERT_EQ(vae(kVae + " --epochs 1", out).exit_code, 0);
  const fs::path checkpoint_path = out / "checkpoint.safetensors";
  nn::SafetensorsFile file = nn::load_safetensors(checkpoint_path.string());
  int poisoned = 0;
  for (auto& [name, tensor] : file.tensors) {
    if (name.size() > 10 && name.compare(name.size() - 10, 10, "exp_avg_sq") == 0) {
      tensor = full(tensor.shape(), -1.0, tensor.dtype());
      ++poisoned;
    }
  }
  ASSERT_GT(poisoned, 0);
  nn::save_safetensors(checkpoint_path.string(), file.tensors, file.metadata);
  const std::string before = file_text(checkpoint_path);

  ProgramRun r = vae(kVae + " --epochs 3 --resume", out);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "vae: training diverged at epoch 2, step 2: the reconstruction term is "
                       "nan; stopped, nothing of this epoch is saved (try a lower --lr)"))
      << r.output;
  EXPECT_EQ(file_text(checkpoint_path), before);
  EXPECT_EQ(read_metrics_csv(out / "metrics.csv")["epoch"], (std::vector<double>{1}));
}

// --resume takes the checkpoint's settings for the flags left out, refuses a changed one with the
// flag and both values, and announces an allowed change in its first line.
TEST(RunFolder, VaeResumeChecksTheSettings) {
  const fs::path out = fresh_test_dir("run_folder") / "run";
  ASSERT_EQ(vae(kVae + " --epochs 1", out).exit_code, 0);
  struct Case {
    std::string flags, message;
  };
  for (const Case& c :
       {Case{"--lr 0.01", "vae: --lr: " + (out / "checkpoint.safetensors").string() +
                              " was trained with --lr 0.001, given 0.01; resume with the same "
                              "value (or leave the flag out), or start a new run with "
                              "--overwrite or another --out\n"},
        Case{"--batch-size 50", "was trained with --batch-size 100, given 50"},
        Case{"--limit 200", "was trained with --limit 300, given 200"},
        Case{"--beta 0.5", "was trained with --beta 1, given 0.5"},
        Case{"--seed 2", "was trained with --seed 1, given 2"}}) {
    ProgramRun r = vae("--resume --threads 1 " + c.flags, out);
    EXPECT_EQ(r.exit_code, 2) << c.flags << ": " << r.output;
    EXPECT_TRUE(contains(r.output, c.message)) << c.flags << ": " << r.output;
  }
  // Only --epochs, and a repeated --lr with the saved value: the hidden size and the rest come
  // from the checkpoint.
  ProgramRun r = vae("--resume --threads 1 --epochs 2 --lr 0.0010", out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(first_line(r.output), "vae: resuming " + (out / "checkpoint.safetensors").string() +
                                      " after epoch 1; changed: --epochs 2 (was 1)");
  EXPECT_EQ(read_metrics_csv(out / "metrics.csv")["epoch"], (std::vector<double>{1, 2}));
  const nn::Metadata saved =
      nn::load_safetensors((out / "checkpoint.safetensors").string()).metadata;
  EXPECT_EQ(saved.at("--hidden"), "16");
  EXPECT_EQ(saved.at("--epochs"), "2");
}

TEST(RunFolder, Gan2dResumeRefusesChangedDataLossAndPenalty) {
  const fs::path out = fresh_test_dir("run_folder") / "run";
  ASSERT_EQ(gan2d(kGan2d, out).exit_code, 0);
  for (const auto& [flags, message] : std::vector<std::pair<std::string, std::string>>{
           {"--data grid25", "--data: "},
           {"--loss hinge", "was trained with --loss ns, given hinge"},
           {"--r1 0", "was trained with --r1 0.1, given 0"},
           {"--pack 1", "was trained with --pack 2, given 1"},
           {"--batch-size 64", "was trained with --batch-size 32, given 64"},
           {"--steps 60", "under the cosine schedule"}}) {
    ProgramRun r = gan2d("--resume --threads 1 " + flags, out);
    EXPECT_EQ(r.exit_code, 2) << flags << ": " << r.output;
    EXPECT_TRUE(contains(r.output, message)) << flags << ": " << r.output;
  }
  ProgramRun r = gan2d("--resume --threads 1 --eval-samples 200", out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(first_line(r.output), "changed: --eval-samples 200 (was 100)")) << r.output;
}

// Every metadata value is parsed whole and range-checked: a step of "12abc" is not 12, a loader
// epoch of INT64_MAX is not a run that never ends.
TEST(RunFolder, CorruptMetadataIsRefusedNamingTheKey) {
  const fs::path out = fresh_test_dir("run_folder") / "gan";
  ASSERT_EQ(gan2d(kGan2d, out).exit_code, 0);
  const fs::path checkpoint = out / "checkpoint.safetensors";
  const std::string original = file_text(checkpoint);
  for (const std::string step : {"12abc", "-5", "", "99999999999999999999", "0"}) {
    std::ofstream(checkpoint, std::ios::binary) << original;
    set_metadata(checkpoint, "step", step);
    ProgramRun r = gan2d("--resume --threads 1", out);
    EXPECT_EQ(r.exit_code, 1) << step << ": " << r.output;
    EXPECT_EQ(r.output, "gan2d: " + checkpoint.string() + ": metadata step = '" + step +
                            "' is not an integer in [1, 10000000]\n");
  }
  std::ofstream(checkpoint, std::ios::binary) << original;
  set_metadata(checkpoint, "--pack", "0");
  ProgramRun pack = gan2d("--resume --threads 1", out);
  EXPECT_EQ(pack.exit_code, 1) << pack.output;
  EXPECT_TRUE(contains(pack.output, "metadata --pack = '0' is not a valid --pack")) << pack.output;
  std::ofstream(checkpoint, std::ios::binary) << original;
  set_metadata(checkpoint, "noise_generator", "-1 2 3 4 5 6");
  ProgramRun noise = gan2d("--resume --threads 1", out);
  EXPECT_EQ(noise.exit_code, 1) << noise.output;
  EXPECT_TRUE(contains(noise.output, "corrupt generator state '-1 2 3 4 5 6'")) << noise.output;

  const fs::path vae_out = out.parent_path() / "vae";
  ASSERT_EQ(vae(kVae + " --epochs 1", vae_out).exit_code, 0);
  const fs::path vae_checkpoint = vae_out / "checkpoint.safetensors";
  const std::string loader = nn::load_safetensors(vae_checkpoint.string()).metadata.at("loader");
  set_metadata(vae_checkpoint, "loader", "9223372036854775807" + loader.substr(loader.find(' ')));
  ProgramRun epoch = vae("--resume --threads 1 --epochs 3", vae_out);
  EXPECT_EQ(epoch.exit_code, 1) << epoch.output;
  // The loader refuses a state whose next epoch could not be counted, before the epochs are
  // compared.
  EXPECT_TRUE(contains(epoch.output,
                       "vae: DataLoader::load_state: epoch 9223372036854775807 leaves no room to "
                       "count the next epoch"))
      << epoch.output;
  set_metadata(vae_checkpoint, "epoch", "9223372036854775807");
  epoch = vae("--resume --threads 1 --epochs 3", vae_out);
  EXPECT_EQ(epoch.exit_code, 1) << epoch.output;
  EXPECT_TRUE(contains(epoch.output,
                       "metadata epoch = '9223372036854775807' is not an integer in "
                       "[1, 100000]"))
      << epoch.output;
}

TEST(TrainingCheckpoint, MetadataIntegersAndGeneratorStatesAreParsedStrictly) {
  const std::map<std::string, std::string> m{
      {"a", "42"}, {"b", "12abc"}, {"c", " 7"}, {"d", "1e3"}, {"e", "-3"}};
  EXPECT_EQ(examples::metadata_integer(m, "a", "p", 0, 100), 42);
  EXPECT_EQ(examples::metadata_integer(m, "e", "p", -5, 0), -3);
  for (const char* key : {"b", "c", "d"}) {
    EXPECT_THROW(examples::metadata_integer(m, key, "p", 0, 100), Error) << key;
  }
  EXPECT_THROW(examples::metadata_integer(m, "a", "p", 0, 41), Error);
  EXPECT_THROW(examples::metadata_integer(m, "missing", "p", 0, 41), Error);

  Generator g(5), h(0);
  const std::string state = examples::generator_state_to_string(g);
  examples::generator_state_from_string(h, state, "p");
  EXPECT_EQ(examples::generator_state_to_string(h), state);
  for (const std::string& bad :
       std::vector<std::string>{state + " 1", state + " ", "-1" + state.substr(state.find(' ')),
                                state.substr(0, state.rfind(' ')), "1  2 3 4 5 6"}) {
    EXPECT_THROW(examples::generator_state_from_string(h, bad, "p"), Error) << bad;
  }
}
