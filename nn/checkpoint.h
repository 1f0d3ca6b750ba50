// Checkpoints: a module's parameters and buffers as a name -> tensor map (state_dict), loading
// such a map back with full validation first (load_state_dict), and saving / loading them as
// safetensors files. Optimizers and LR schedulers have their own state_dict()/load_state_dict()
// (nn/optim/); with_prefix/strip_prefix put several maps into one file:
//
//   TensorMap all = with_prefix("model.", nn::state_dict(*model));
//   for (auto& entry : with_prefix("optimizer.", adam.state_dict())) all.push_back(entry);
//   nn::save_safetensors("run/checkpoint.safetensors", all, {{"epoch", "12"}});
//   ...
//   auto file = nn::load_safetensors("run/checkpoint.safetensors");
//   nn::load_state_dict(*model, strip_prefix(file.tensors, "model."));
//   adam.load_state_dict(strip_prefix(file.tensors, "optimizer."));
#pragma once

#include <string>
#include <vector>

#include "nn/module.h"
#include "nn/safetensors.h"

namespace minidl::nn {

// Every parameter and buffer with its dotted name, module by module in registration order (each
// module's parameters, then its buffers, then its children), as PyTorch orders a state_dict. The
// tensors share storage with the module: clone them to keep a snapshot while training goes on.
TensorMap state_dict(const Module& module);

struct LoadReport {
  std::vector<std::string> missing;     // in the module, not in the map
  std::vector<std::string> unexpected;  // in the map, not in the module
};

struct LoadOptions {
  // Missing and unexpected names are an error (otherwise they are only reported).
  bool strict = true;
  // Convert floating-point values to the module's dtype: float64 into a float32 model (rounded
  // to nearest), float32 into a float64 one (exact). Files' F16 and BF16 tensors are read as
  // float32 first (exact). Without it a dtype that differs from the module's is an error. Integer
  // entries must always match.
  bool cast_floating = false;
};

// Copies values into the module's parameters and buffers in place. Everything is checked before
// anything changes: duplicate names, and the shape and dtype of every matching entry (always an
// error, unless cast_floating allows the dtype); missing and unexpected names (an error when
// strict, reported otherwise). On error the module keeps all its values.
LoadReport load_state_dict(Module& module, const TensorMap& tensors, bool strict = true);
LoadReport load_state_dict(Module& module, const TensorMap& tensors, const LoadOptions& options);

// save_safetensors(path, state_dict(module), metadata) with {"format": "pt"} added to the
// metadata, which Python loaders that expect PyTorch checkpoints look for.
void save(const Module& module, const std::string& path, const Metadata& metadata = {});
// load_safetensors then load_state_dict; errors name the path.
//   nn::load(model, "pytorch_weights.safetensors", {.cast_floating = true});  // F16 or F64 in
LoadReport load(Module& module, const std::string& path, bool strict = true);
LoadReport load(Module& module, const std::string& path, const LoadOptions& options);

// "prefix" + name for every entry.
TensorMap with_prefix(const std::string& prefix, const TensorMap& tensors);
// The entries whose names start with prefix, with the prefix removed.
TensorMap strip_prefix(const TensorMap& tensors, const std::string& prefix);

}  // namespace minidl::nn
