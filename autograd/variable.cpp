#include "autograd/variable.h"

#include "autograd/engine.h"
#include "autograd/node.h"

namespace minidl {

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<VariableImpl>()) {
  MINIDL_CHECK(data.defined(), "Variable: cannot wrap an undefined tensor");
  MINIDL_CHECK(!requires_grad || is_floating(data.dtype()),
               "Variable: only float32 and float64 values can require grad, got " << data.dtype());
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
}

Variable Variable::from_node(Tensor data, std::shared_ptr<Node> node) {
  Variable v;
  v.impl_ = std::make_shared<VariableImpl>();
  v.impl_->data = std::move(data);
  v.impl_->grad_fn = std::move(node);
  v.impl_->requires_grad = true;
  return v;
}

const Tensor& Variable::data() const {
  MINIDL_CHECK(defined(), "Variable: use of an undefined Variable");
  return impl_->data;
}

void Variable::set_data(Tensor data) {
  MINIDL_CHECK(defined(), "Variable: use of an undefined Variable");
  MINIDL_CHECK(data.defined(), "set_data: undefined tensor");
  const bool same_kind = data.shape() == impl_->data.shape() && data.dtype() == impl_->data.dtype();
  // A node's backward relies on its output's shape and dtype; only a leaf may change them (e.g. a
  // model converted to float64 for gradient checks), and then its old gradient no longer fits.
  MINIDL_CHECK(same_kind || is_leaf(), "set_data: new value "
                                           << data.dtype() << data.shape() << " differs from "
                                           << impl_->data.dtype() << impl_->data.shape()
                                           << " of a non-leaf");
  MINIDL_CHECK(!impl_->requires_grad || is_floating(data.dtype()),
               "set_data: a Variable that requires grad needs a float value, got " << data.dtype());
  if (!same_kind) {
    impl_->grad = Variable();
    impl_->grad_storage = Tensor();
  }
  impl_->data = std::move(data);
}

bool Variable::requires_grad() const { return defined() && impl_->requires_grad; }

Variable& Variable::set_requires_grad(bool requires_grad) {
  MINIDL_CHECK(defined(), "Variable: use of an undefined Variable");
  MINIDL_CHECK(is_leaf(), "set_requires_grad: only leaves can change requires_grad; use detach()");
  MINIDL_CHECK(!requires_grad || is_floating(impl_->data.dtype()),
               "set_requires_grad: only float32 and float64 values can require grad");
  impl_->requires_grad = requires_grad;
  return *this;
}

bool Variable::is_leaf() const { return !defined() || impl_->grad_fn == nullptr; }

std::shared_ptr<Node> Variable::take_node_if_last_owner() {
  if (!impl_ || impl_.use_count() != 1 || impl_->grad_fn.use_count() != 1) return nullptr;
  return std::move(impl_->grad_fn);
}

const std::shared_ptr<Node>& Variable::grad_fn() const {
  static const std::shared_ptr<Node> none;
  return defined() ? impl_->grad_fn : none;
}

const Variable& Variable::grad() const {
  static const Variable undefined;
  return defined() ? impl_->grad : undefined;
}

void Variable::set_grad(const Variable& grad) {
  MINIDL_CHECK(defined(), "Variable: use of an undefined Variable");
  MINIDL_CHECK(
      !grad.defined() || grad.shape() == shape(),
      "set_grad: gradient of shape " << grad.shape() << " for a value of shape " << shape());
  impl_->grad = grad;
}

void Variable::reset_grad() {
  if (defined()) impl_->grad = Variable();
}

void Variable::zero_grad() {
  if (!defined()) return;
  if (impl_->grad_storage.defined()) impl_->grad_storage.zero_();
  impl_->grad = Variable();
}

const Tensor& Variable::grad_storage() const {
  static const Tensor undefined;
  return defined() ? impl_->grad_storage : undefined;
}

void Variable::set_grad_storage(Tensor storage) {
  MINIDL_CHECK(defined(), "Variable: use of an undefined Variable");
  MINIDL_CHECK(is_leaf(), "set_grad_storage: only leaves accumulate gradients");
  MINIDL_CHECK(!storage.defined() || (storage.shape() == shape() &&
                                      storage.dtype() == dtype() && storage.is_contiguous()),
               "set_grad_storage: storage " << storage.dtype() << storage.shape()
                                            << " is not a contiguous tensor like the value "
                                            << dtype() << shape());
  // A gradient already accumulated stays what grad() reads: it moves into the new storage.
  if (storage.defined() && impl_->grad.defined() && !impl_->grad.grad_fn()) {
    storage.copy_(impl_->grad.data());
    impl_->grad = Variable(storage);
  }
  impl_->grad_storage = std::move(storage);
}

int Variable::add_grad_ready_hook(GradReadyHook hook) {
  MINIDL_CHECK(defined(), "Variable: use of an undefined Variable");
  MINIDL_CHECK(is_leaf(), "add_grad_ready_hook: only leaves accumulate gradients");
  MINIDL_CHECK(hook != nullptr, "add_grad_ready_hook: empty hook");
  const int id = impl_->next_hook_id++;
  impl_->grad_ready_hooks.emplace_back(id, std::move(hook));
  return id;
}

void Variable::remove_grad_ready_hook(int id) {
  if (!defined()) return;
  auto& hooks = impl_->grad_ready_hooks;
  std::erase_if(hooks, [id](const auto& entry) { return entry.first == id; });
}

bool Variable::has_grad_ready_hooks() const {
  return defined() && !impl_->grad_ready_hooks.empty();
}

void Variable::run_grad_ready_hooks() const {
  // A copy: a hook may remove itself.
  const auto hooks = impl_->grad_ready_hooks;
  for (const auto& entry : hooks) entry.second(*this);
}

void Variable::backward(const Variable& gradient, bool retain_graph, bool create_graph) const {
  run_backward({*this}, {gradient}, retain_graph || create_graph, create_graph);
}

Variable Variable::detach() const { return Variable(data(), false); }

std::ostream& operator<<(std::ostream& os, const Variable& v) {
  if (!v.defined()) return os << "Variable(undefined)";
  os << "Variable(" << v.data();
  if (v.grad_fn())
    os << ", grad_fn=" << v.grad_fn()->name();
  else if (v.requires_grad())
    os << ", requires_grad=true";
  return os << ')';
}

}  // namespace minidl
