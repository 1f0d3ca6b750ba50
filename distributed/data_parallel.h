// DataParallel: data-parallel training over MPI, as PyTorch's DistributedDataParallel and Horovod
// do it. Every rank holds a full copy of the model and trains on its own shard of each batch
// (data::DataLoaderOptions::num_shards); the gradients are averaged over the ranks before each
// optimizer step, so every rank takes the same step and the copies stay identical.
//
//   distributed::init(&argc, &argv);
//   auto model = make_model();                      // same architecture on every rank
//   distributed::DataParallel ddp(*model);          // flattens, broadcasts rank 0's values
//   optim::Adam adam(model->parameters());          // after: the parameters are now views
//   ... model->zero_grad(); loss.backward(); ddp.synchronize_gradients(); adam.step(); ...
//
// How: the parameters live in one flat buffer and their gradients in another
// (nn::Module::flatten_parameters). The gradient buffer is cut into buckets of about
// bucket_bytes, in reverse parameter order (the order backward produces gradients), the same on
// every rank. A grad-ready hook on each parameter counts the bucket's gradients as backward
// finalises them; when a bucket is complete its MPI_Iallreduce starts, in place, while backward
// continues. Buckets start in bucket order on every rank (MPI needs collectives in the same order
// everywhere), so a bucket finished early waits for the one before it. synchronize_gradients()
// starts the buckets backward did not complete (parameters the loss does not use, whose gradient
// is then zero), waits for all of them and divides by the number of ranks.
//
// Buffers (BatchNorm's running statistics) are broadcast from rank 0 at construction only: each
// rank normalises with its own batch's statistics and keeps its own running averages, as PyTorch's
// DDP does without SyncBatchNorm; checkpoints hold rank 0's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "distributed/communicator.h"
#include "nn/module.h"

namespace minidl::distributed {

struct DataParallelOptions {
  size_t bucket_bytes = size_t(4) << 20;  // gradient bytes per allreduce (the last one smaller)
};

class DataParallel {
 public:
  explicit DataParallel(nn::Module& model, DataParallelOptions options = {});
  ~DataParallel();  // removes the hooks, waits for allreduces in flight
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // Averages the gradients of this step over all ranks; call after backward() and before the
  // optimizer's step(). Afterwards every parameter has a gradient (zero where no rank's loss
  // used it), so every rank updates the same parameters.
  void synchronize_gradients();

  // Copies rank 0's parameters and buffers to every rank (done at construction; again after
  // loading a checkpoint on rank 0 only).
  void broadcast_state();

  // Seconds spent in synchronize_gradients() waiting for allreduces, since construction.
  double wait_seconds() const { return wait_seconds_; }
  // The buckets as [begin, end) element ranges of the flat gradient buffer, in start order.
  struct Bucket {
    int64_t begin = 0, end = 0;
    int pending = 0;  // gradients still to be finalised in this step
    int parameters = 0;
  };
  const std::vector<Bucket>& buckets() const { return buckets_; }

 private:
  void on_gradient_ready(size_t parameter);
  void start_ready_buckets();
  void start_bucket(size_t bucket);
  void reset_step();

  nn::Module& model_;
  std::vector<Variable> parameters_;  // unique, in flat-buffer order
  std::vector<int> hook_ids_;
  std::vector<size_t> bucket_of_;  // per parameter
  std::vector<bool> ready_;        // per parameter, this step
  std::vector<Bucket> buckets_;
  std::vector<PendingSum> in_flight_;  // per bucket
  size_t next_bucket_ = 0;             // the next bucket to start
  double wait_seconds_ = 0;
};

}  // namespace minidl::distributed
