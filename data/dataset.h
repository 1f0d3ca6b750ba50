// What a DataLoader draws from: a Dataset knows its size and builds the batch for a list of
// sample indices. TensorDataset is the in-memory case (Fashion-MNIST, 2-D points); ImageFolder
// (data/image_folder.h) decodes image files on demand.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tensor/core.h"

namespace minidl::data {

struct Batch {
  Tensor inputs;                 // [B, ...] samples stacked along axis 0
  Tensor labels;                 // int64 [B], or undefined for unlabelled data
  std::vector<int64_t> indices;  // which samples of the dataset, in batch order
  int64_t size() const { return int64_t(indices.size()); }
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // The samples at `indices`, in that order. Called on the DataLoader's background thread while
  // the caller trains on the previous batch, so it must not modify the dataset.
  virtual Batch get_batch(std::span<const int64_t> indices) const = 0;
};

// Samples are the rows (axis 0) of `inputs`, with optional int64 `labels` of the same length.
class TensorDataset : public Dataset {
 public:
  explicit TensorDataset(Tensor inputs, Tensor labels = {});
  int64_t size() const override { return inputs_.size(0); }
  Batch get_batch(std::span<const int64_t> indices) const override;

  const Tensor& inputs() const { return inputs_; }
  const Tensor& labels() const { return labels_; }

 private:
  Tensor inputs_;  // contiguous, so each sample is one block of bytes
  Tensor labels_;  // contiguous int64 [N] or undefined
};

}  // namespace minidl::data
