#include "data/dataset.h"

#include <algorithm>
#include <cstring>

namespace minidl::data {

TensorDataset::TensorDataset(Tensor inputs, Tensor labels)
    : inputs_(inputs.defined() ? inputs.contiguous() : inputs),
      labels_(labels.defined() ? labels.contiguous() : labels) {
  MINIDL_CHECK(inputs_.defined() && inputs_.dim() >= 1,
               "TensorDataset: inputs must be a tensor with a sample axis, got "
                   << (inputs_.defined() ? shape_str(inputs_.shape()) : "an undefined tensor"));
  if (labels_.defined()) {
    MINIDL_CHECK(labels_.dtype() == DType::Int64 && labels_.dim() == 1,
                 "TensorDataset: labels must be int64 [N], got " << labels_.dtype() << " "
                                                                 << labels_.shape());
    MINIDL_CHECK(
        labels_.size(0) == inputs_.size(0),
        "TensorDataset: " << inputs_.size(0) << " inputs but " << labels_.size(0) << " labels");
  }
}

Batch TensorDataset::get_batch(std::span<const int64_t> indices) const {
  const int64_t n = size(), count = int64_t(indices.size());
  Shape shape = inputs_.shape();
  shape[0] = count;
  Batch batch;
  batch.indices.assign(indices.begin(), indices.end());
  batch.inputs = Tensor::empty(shape, inputs_.dtype());
  // Row gather by memcpy: samples are contiguous blocks of the source.
  const size_t row_bytes =
      size_t(inputs_.numel() / std::max<int64_t>(n, 1)) * inputs_.element_size();
  const auto* src = static_cast<const char*>(inputs_.raw_data());
  auto* dst = static_cast<char*>(batch.inputs.raw_data());
  for (int64_t i = 0; i < count; ++i) {
    const int64_t index = indices[size_t(i)];
    MINIDL_CHECK(index >= 0 && index < n, "TensorDataset: sample index "
                                              << index << " is out of range for " << n
                                              << " samples");
    std::memcpy(dst + size_t(i) * row_bytes, src + size_t(index) * row_bytes, row_bytes);
  }
  if (labels_.defined()) {
    batch.labels = Tensor::empty({count}, DType::Int64);
    const int64_t* from = labels_.data<int64_t>();
    int64_t* to = batch.labels.data<int64_t>();
    for (int64_t i = 0; i < count; ++i) to[i] = from[indices[size_t(i)]];
  }
  return batch;
}

}  // namespace minidl::data
