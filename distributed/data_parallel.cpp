#include "distributed/data_parallel.h"

#include <chrono>

#include "tensor/tensor.h"

namespace minidl::distributed {

namespace {

int64_t element_count(const std::vector<Variable>& parameters, size_t end) {
  int64_t n = 0;
  for (size_t i = 0; i < end; ++i) n += parameters[i].numel();
  return n;
}

}  // namespace

DataParallel::DataParallel(nn::Module& model, DataParallelOptions options) : model_(model) {
  MINIDL_CHECK(options.bucket_bytes > 0, "DataParallel: bucket_bytes must be positive");
  if (!model_.parameters_are_flat()) model_.flatten_parameters();
  for (const Variable& p : model_.parameters()) {
    bool seen = false;
    for (const Variable& q : parameters_) seen = seen || q.same_as(p);
    if (!seen) parameters_.push_back(p);
  }
  // Buckets from the last parameter backwards, each closed once it holds bucket_bytes.
  const size_t element_bytes = model_.flat_gradients().element_size();
  bucket_of_.resize(parameters_.size());
  ready_.assign(parameters_.size(), false);
  size_t i = parameters_.size();
  while (i > 0) {
    Bucket bucket;
    bucket.end = element_count(parameters_, i);
    size_t bytes = 0;
    while (i > 0 && (bytes == 0 || bytes < options.bucket_bytes)) {
      --i;
      bytes += size_t(parameters_[i].numel()) * element_bytes;
      bucket_of_[i] = buckets_.size();
      ++bucket.parameters;
    }
    bucket.begin = element_count(parameters_, i);
    buckets_.push_back(bucket);
  }
  in_flight_.resize(buckets_.size());
  reset_step();
  broadcast_state();
  for (size_t p = 0; p < parameters_.size(); ++p) {
    hook_ids_.push_back(
        parameters_[p].add_grad_ready_hook([this, p](const Variable&) { on_gradient_ready(p); }));
  }
}

DataParallel::~DataParallel() {
  for (size_t p = 0; p < parameters_.size(); ++p) parameters_[p].remove_grad_ready_hook(hook_ids_[p]);
  for (PendingSum& pending : in_flight_) pending.wait();
}

void DataParallel::broadcast_state() {
  MINIDL_CHECK(model_.parameters_are_flat(),
               "DataParallel: a parameter of the model was replaced (set_data) after wrapping");
  broadcast_(model_.flat_parameters(), 0);
  for (auto& entry : model_.named_buffers()) {
    Tensor& buffer = entry.second;
    if (buffer.is_contiguous()) {
      broadcast_(buffer, 0);
    } else {
      Tensor copy = buffer.contiguous();
      broadcast_(copy, 0);
      buffer.copy_(copy);
    }
  }
}

void DataParallel::reset_step() {
  ready_.assign(parameters_.size(), false);
  for (Bucket& bucket : buckets_) bucket.pending = 0;
  for (size_t p = 0; p < parameters_.size(); ++p) {
    if (parameters_[p].requires_grad()) ++buckets_[bucket_of_[p]].pending;
  }
  next_bucket_ = 0;
}

void DataParallel::on_gradient_ready(size_t parameter) {
  MINIDL_CHECK(!ready_[parameter],
               "DataParallel: a second backward pass reached a parameter before "
               "synchronize_gradients(); sum the losses into one backward pass per step");
  ready_[parameter] = true;
  const Variable& p = parameters_[parameter];
  // A gradient set by hand lives outside the flat buffer: copy it in, where the bucket is summed.
  const Variable& grad = p.grad();
  if (grad.defined() && !grad.data().shares_storage_with(model_.flat_gradients()))
    Tensor(p.grad_storage()).copy_(grad.data());
  --buckets_[bucket_of_[parameter]].pending;
  start_ready_buckets();
  // MPI makes progress on requests in flight only inside MPI calls.
  for (size_t b = 0; b < next_bucket_; ++b) in_flight_[b].test();
}

void DataParallel::start_ready_buckets() {
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].pending == 0)
    start_bucket(next_bucket_++);
}

void DataParallel::start_bucket(size_t bucket) {
  const Bucket& b = buckets_[bucket];
  in_flight_[bucket] = PendingSum(model_.flat_gradients().narrow(0, b.begin, b.end - b.begin));
}

void DataParallel::synchronize_gradients() {
  MINIDL_CHECK(model_.parameters_are_flat(),
               "DataParallel: a parameter of the model was replaced (set_data) after wrapping");
  // Gradients the backward pass did not finalise (unused parameters) are zeros from zero_grad.
  while (next_bucket_ < buckets_.size()) start_bucket(next_bucket_++);
  const auto start = std::chrono::steady_clock::now();
  for (PendingSum& pending : in_flight_) pending.wait();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Tensor grads = model_.flat_gradients();
  if (world_size() > 1) mul_(grads, 1.0 / world_size());
  // The optimizer reads grad(): make it the averaged slice everywhere, also where this rank's
  // loss did not use the parameter or its gradient was set by hand.
  for (Variable& p : parameters_) {
    if (!p.requires_grad()) continue;
    const Variable& grad = p.grad();
    if (!grad.defined() || !grad.data().shares_storage_with(grads) ||
        grad.data().offset() != p.grad_storage().offset())
      p.set_grad(Variable(p.grad_storage()));
  }
  reset_step();
}

}  // namespace minidl::distributed
