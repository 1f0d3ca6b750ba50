// Sequential: a chain of modules applied in order, each one's output the next one's input. The
// children are named "0", "1", ... so parameters get names like "0.weight" (or "encoder.0.weight"
// inside a parent), as in PyTorch.
#pragma once

#include <initializer_list>
#include <memory>
#include <type_traits>

#include "nn/module.h"

namespace minidl::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  // The same as a parameter pack, so make<Sequential>(make<Linear>(2, 8), make<ReLU>()) works
  // (make's perfect forwarding cannot pass a braced list).
  template <typename... Modules>
  requires(sizeof...(Modules) > 0 && (std::is_convertible_v<Modules, std::shared_ptr<Module>> &&
                                      ...)) explicit Sequential(Modules... modules) {
    (push_back(std::move(modules)), ...);
  }

  void push_back(std::shared_ptr<Module> module);
  Variable forward(const Variable& input) override;

  size_t size() const { return children().size(); }
  std::shared_ptr<Module> operator[](size_t index) const;
};

}  // namespace minidl::nn
