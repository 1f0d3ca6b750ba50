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
