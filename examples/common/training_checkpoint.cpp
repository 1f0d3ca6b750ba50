#include "examples/common/training_checkpoint.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "examples/common/program.h"
#include "nn/checkpoint.h"

namespace minidl::examples {

namespace {

nn::TensorMap all_tensors(const CheckpointParts& parts) {
  nn::TensorMap all;
  for (const auto& [part, module] : parts.modules) {
    for (auto& entry : nn::with_prefix(part + ".", nn::state_dict(*module))) all.push_back(entry);
  }
  for (const auto& [part, optimizer] : parts.optimizers) {
    for (auto& entry : nn::with_prefix(part + ".", optimizer->state_dict())) all.push_back(entry);
  }
  for (const auto& [part, scheduler] : parts.schedulers) {
    for (auto& entry : nn::with_prefix(part + ".", scheduler->state_dict())) all.push_back(entry);
  }
  return all;
}

template <typename T>
const char* non_finite(const Tensor& tensor) {
  const Tensor values = tensor.contiguous();
  const T* p = values.data<T>();
  for (int64_t i = 0; i < values.numel(); ++i) {
    if (!std::isfinite(p[i])) return std::isnan(p[i]) ? "nan" : "an infinity";
  }
  return nullptr;
}

void check_finite(const nn::TensorMap& all, const std::string& path) {
  for (const auto& [name, tensor] : all) {
    if (tensor.numel() == 0) continue;
    const char* bad = tensor.dtype() == DType::Float32   ? non_finite<float>(tensor)
                      : tensor.dtype() == DType::Float64 ? non_finite<double>(tensor)
                                                         : nullptr;
    if (bad == nullptr) continue;
    // "The last good state" only where there is one: a run that diverges before its first save
    // has no checkpoint to keep.
    std::error_code ec;
    const std::string fate =
        std::filesystem::exists(path, ec)
            ? path + " is not overwritten (it keeps the last good state)"
            : "no checkpoint is written (this run has not saved one yet: there is no good state "
              "to keep)";
    throw DivergedError("training diverged: " + name + " holds " + bad + "; " + fate);
  }
}

}  // namespace

void check_finite_state(const CheckpointParts& parts, const std::string& path) {
  check_finite(all_tensors(parts), path);
}

void check_written_by(const std::string& program,
                      const std::map<std::string, std::string>& metadata,
                      const std::vector<std::pair<std::string, Shape>>& tensors,
                      const std::string& path) {
  std::string writer;
  if (auto it = metadata.find(kProgramKey); it != metadata.end()) {
    writer = it->second;
  } else {
    for (const auto& [name, shape] : tensors) {
      if (name.starts_with("q.")) writer = "infogan";
      if (writer.empty() && name.starts_with("critic.") && shape.size() == 4) writer = "dcgan";
    }
    if (writer.empty()) return;  // cannot tell: the load names what does not match
  }
  if (writer == program) return;
  throw UsageError(path + ": this checkpoint was written by " + writer + ", not " + program +
                   "; resume it with " + writer + ", or start a new " + program +
                   " run with another --out");
}

void save_training_checkpoint(const std::string& path, const CheckpointParts& parts,
                              const std::map<std::string, std::string>& metadata) {
  const nn::TensorMap all = all_tensors(parts);
  check_finite(all, path);
  nn::save_safetensors(path, all, metadata);
}

std::map<std::string, std::string> load_training_checkpoint(const std::string& path,
                                                            const CheckpointParts& parts) {
  nn::SafetensorsFile file = nn::load_safetensors(path);
  // Keep copies of the current state: if a later part fails to load, earlier ones are restored,
  // so a bad checkpoint never leaves a half-loaded model.
  std::vector<nn::TensorMap> module_backups, optimizer_backups, scheduler_backups;
  for (const auto& [part, module] : parts.modules) {
    nn::TensorMap backup;
    for (auto& [name, tensor] : nn::state_dict(*module)) backup.emplace_back(name, tensor.clone());
    module_backups.push_back(std::move(backup));
  }
  for (const auto& [part, optimizer] : parts.optimizers) {
    nn::TensorMap backup;
    for (auto& [name, tensor] : optimizer->state_dict()) backup.emplace_back(name, tensor.clone());
    optimizer_backups.push_back(std::move(backup));
  }
  for (const auto& [part, scheduler] : parts.schedulers)
    scheduler_backups.push_back(scheduler->state_dict());
  size_t modules_done = 0, optimizers_done = 0, schedulers_done = 0;
  try {
    for (const auto& [part, module] : parts.modules) {
      nn::load_state_dict(*module, nn::strip_prefix(file.tensors, part + "."), /*strict=*/true);
      ++modules_done;
    }
    for (const auto& [part, optimizer] : parts.optimizers) {
      optimizer->load_state_dict(nn::strip_prefix(file.tensors, part + "."));
      ++optimizers_done;
    }
    for (const auto& [part, scheduler] : parts.schedulers) {
      scheduler->load_state_dict(nn::strip_prefix(file.tensors, part + "."));
      ++schedulers_done;
    }
  } catch (const Error& e) {
    for (size_t i = 0; i < modules_done; ++i) {
      nn::load_state_dict(*parts.modules[i].second, module_backups[i], true);
    }
    for (size_t i = 0; i < optimizers_done; ++i) {
      parts.optimizers[i].second->load_state_dict(optimizer_backups[i]);
    }
    for (size_t i = 0; i < schedulers_done; ++i) {
      parts.schedulers[i].second->load_state_dict(scheduler_backups[i]);
    }
    throw Error(path + ": " + e.what());
  }
  return file.metadata;
}

std::string generator_state_to_string(const Generator& generator) {
  std::ostringstream os;
  const Generator::State state = generator.state();
  for (size_t i = 0; i < state.size(); ++i) os << (i ? " " : "") << state[i];
  return os.str();
}

void generator_state_from_string(Generator& generator, const std::string& text,
                                 const std::string& what) {
  // Exactly the words to_string writes: decimal, single spaces (istream would take "-1" as
  // 2^64 - 1 and "12abc" as 12).
  Generator::State state{};
  const char* p = text.data();
  const char* end = p + text.size();
  for (size_t i = 0; i < state.size(); ++i) {
    if (i > 0) {
      MINIDL_CHECK(p < end && *p == ' ', what << ": corrupt generator state '" << text << "'");
      ++p;
    }
    const auto [next, error] = std::from_chars(p, end, state[i]);
    MINIDL_CHECK(error == std::errc() && next != p,
                 what << ": corrupt generator state '" << text << "'");
    p = next;
  }
  MINIDL_CHECK(p == end, what << ": corrupt generator state '" << text << "'");
  generator.set_state(state);
}

const std::string& require_metadata(const std::map<std::string, std::string>& metadata,
                                    const std::string& key, const std::string& path) {
  auto it = metadata.find(key);
  MINIDL_CHECK(it != metadata.end(),
               path << ": not a minidl training checkpoint (no '" << key << "' in its metadata)");
  return it->second;
}

int64_t metadata_integer(const std::map<std::string, std::string>& metadata, const std::string& key,
                         const std::string& path, int64_t low, int64_t high) {
  const std::string& text = require_metadata(metadata, key, path);
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  MINIDL_CHECK(
      !text.empty() && error == std::errc() && rest == end && value >= low && value <= high,
      path << ": metadata " << key << " = '" << text << "' is not an integer in [" << low << ", "
           << high << "]");
  return value;
}

}  // namespace minidl::examples
