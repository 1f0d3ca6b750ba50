// A training checkpoint: everything a trainer needs to continue bit-exactly where it stopped —
// the models, their optimizers, the epoch, the random generators and the data loader's place —
// in one safetensors file, written atomically (a crash mid-save leaves the previous checkpoint).
//
// Tensors are stored under "<part>.<name>" ("model.encoder_hidden.weight",
// "optimizer.state.0.exp_avg"); scalars such as the epoch and generator states go in the
// safetensors metadata as text, so Python tools can read them too.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/scheduler.h"
#include "tensor/random.h"

namespace minidl::examples {

struct CheckpointParts {
  std::vector<std::pair<std::string, nn::Module*>> modules;             // part name, module
  std::vector<std::pair<std::string, optim::Optimizer*>> optimizers;    // part name, optimizer
  std::vector<std::pair<std::string, optim::LRScheduler*>> schedulers;  // part name, schedule
};

// Throws DivergedError when a floating-point tensor of `parts` holds a NaN or an infinity, saying
// what becomes of the checkpoint at `path`: the one there stays (the last good state), or, when
// there is none yet, none is written. Trainers call it before they log the epoch's metrics row,
// so metrics.csv never holds an epoch that no checkpoint could keep.
void check_finite_state(const CheckpointParts& parts, const std::string& path);

// The checkpoint metadata key naming the program that wrote a checkpoint ("dcgan").
inline constexpr const char* kProgramKey = "program";

// Refuses (UsageError) to resume a checkpoint another program wrote: "this checkpoint was written
// by dcgan", rather than the names of tensors that do not match. Checkpoints from before the key
// existed are told apart by their tensors where that is unambiguous (a Q head: infogan; a
// convolutional critic: dcgan).
void check_written_by(const std::string& program,
                      const std::map<std::string, std::string>& metadata,
                      const std::vector<std::pair<std::string, Shape>>& tensors,
                      const std::string& path);

// Refuses (DivergedError) to save a NaN or an infinity in any floating-point tensor: a checkpoint
// is a state training can continue from, and the one before stays in place.
void save_training_checkpoint(const std::string& path, const CheckpointParts& parts,
                              const std::map<std::string, std::string>& metadata);

// Loads every part (strictly: names, shapes and dtypes must match) and returns the metadata. All
// parts are validated before any is changed; on any error nothing is modified.
std::map<std::string, std::string> load_training_checkpoint(const std::string& path,
                                                            const CheckpointParts& parts);

// Generator state as text ("g0 g1 g2 g3 g4 g5") for checkpoint metadata, and back.
std::string generator_state_to_string(const Generator& generator);
void generator_state_from_string(Generator& generator, const std::string& text,
                                 const std::string& what);

// A metadata value that must be present, with the checkpoint path in the error.
const std::string& require_metadata(const std::map<std::string, std::string>& metadata,
                                    const std::string& key, const std::string& path);

// A metadata value that must be a decimal integer in [low, high], all of it ("12abc", "-5" or
// "1e3" are errors naming the key, the value and the range).
int64_t metadata_integer(const std::map<std::string, std::string>& metadata, const std::string& key,
                         const std::string& path, int64_t low, int64_t high);

}  // namespace minidl::examples
