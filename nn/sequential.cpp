#include "nn/sequential.h"

namespace minidl::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& module : modules) push_back(module);
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(size()), std::move(module));
}

Variable Sequential::forward(const Variable& input) {
  Variable x = input;
  for (const auto& entry : children()) x = entry.second->forward(x);
  return x;
}

std::shared_ptr<Module> Sequential::operator[](size_t index) const {
  MINIDL_CHECK(index < size(),
               "Sequential: index " << index << " is out of range for " << size() << " modules");
  return children()[index].second;
}

}  // namespace minidl::nn
