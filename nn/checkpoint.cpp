#include "nn/checkpoint.h"

#include <set>
#include <sstream>
#include <unordered_map>

namespace minidl::nn {

namespace {

// "['a', 'b', 'c', ... and 7 more]": error messages stay one readable line.
std::string name_list(const std::vector<std::string>& names) {
  std::ostringstream os;
  os << '[';
  const size_t shown = std::min<size_t>(names.size(), 8);
  for (size_t i = 0; i < shown; ++i) os << (i ? ", '" : "'") << names[i] << '\'';
  if (names.size() > shown) os << ", ... and " << (names.size() - shown) << " more";
  return os.str() + "]";
}

LoadReport load_into(Module& module, const TensorMap& tensors, const LoadOptions& options,
                     const std::string& context) {
  // Destinations: handles on the module's own storage, so copy_ writes into the model.
  const TensorMap destinations = state_dict(module);
  std::unordered_map<std::string, const Tensor*> by_name;
  for (const auto& [name, tensor] : destinations) by_name[name] = &tensor;

  LoadReport report;
  std::set<std::string> seen;
  std::vector<std::pair<Tensor, const Tensor*>> copies;  // (destination, source)
  for (const auto& [name, source] : tensors) {
    MINIDL_CHECK(seen.insert(name).second, context << ": duplicate key '" << name << "'");
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      report.unexpected.push_back(name);
      continue;
    }
    const Tensor& destination = *it->second;
    MINIDL_CHECK(source.defined(), context << ": '" << name << "' is undefined");
    MINIDL_CHECK(source.shape() == destination.shape(),
                 context << ": '" << name << "' has shape " << shape_str(source.shape())
                         << " but the module expects " << shape_str(destination.shape()));
    const bool both_floating = is_floating(source.dtype()) && is_floating(destination.dtype());
    MINIDL_CHECK(source.dtype() == destination.dtype() || (options.cast_floating && both_floating),
                 context << ": '" << name << "' is " << source.dtype() << " but the module expects "
                         << destination.dtype()
                         << (both_floating ? " (load with cast_floating to convert)" : ""));
    copies.emplace_back(destination, &source);
  }
  for (const auto& [name, tensor] : destinations) {
    if (!seen.count(name)) report.missing.push_back(name);
  }
  if (options.strict) {
    MINIDL_CHECK(report.missing.empty() && report.unexpected.empty(),
                 context << ": " << report.missing.size() << " missing keys "
                         << name_list(report.missing) << " and " << report.unexpected.size()
                         << " unexpected keys " << name_list(report.unexpected)
                         << " (load with strict = false to load the matching ones)");
  }
  // Everything is validated; from here on nothing can fail. copy_ converts between dtypes.
  for (auto& [destination, source] : copies) destination.copy_(*source);
  return report;
}

}  // namespace

TensorMap state_dict(const Module& module) {
  TensorMap out;
  auto add_own = [&out](const Module& m, const std::string& prefix) {
    for (auto& [name, parameter] : m.named_parameters(/*recurse=*/false)) {
      out.emplace_back(prefix + name, parameter.data());
    }
    for (auto& [name, buffer] : m.named_buffers(/*recurse=*/false)) {
      out.emplace_back(prefix + name, buffer);
    }
  };
  add_own(module, "");
  for (const auto& [name, child] : module.named_modules()) add_own(*child, name + ".");
  return out;
}

LoadReport load_state_dict(Module& module, const TensorMap& tensors, bool strict) {
  return load_into(module, tensors, {.strict = strict}, "load_state_dict");
}

LoadReport load_state_dict(Module& module, const TensorMap& tensors, const LoadOptions& options) {
  return load_into(module, tensors, options, "load_state_dict");
}

void save(const Module& module, const std::string& path, const Metadata& metadata) {
  Metadata with_format = metadata;
  with_format.emplace("format", "pt");
  save_safetensors(path, state_dict(module), with_format);
}

LoadReport load(Module& module, const std::string& path, bool strict) {
  return load(module, path, LoadOptions{.strict = strict});
}

LoadReport load(Module& module, const std::string& path, const LoadOptions& options) {
  SafetensorsFile file = load_safetensors(path, {.half_as_float32 = options.cast_floating});
  return load_into(module, file.tensors, options, "load: " + path);
}

TensorMap with_prefix(const std::string& prefix, const TensorMap& tensors) {
  TensorMap out;
  out.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) out.emplace_back(prefix + name, tensor);
  return out;
}

TensorMap strip_prefix(const TensorMap& tensors, const std::string& prefix) {
  TensorMap out;
  for (const auto& [name, tensor] : tensors) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) {
      out.emplace_back(name.substr(prefix.size()), tensor);
    }
  }
  return out;
}

}  // namespace minidl::nn
