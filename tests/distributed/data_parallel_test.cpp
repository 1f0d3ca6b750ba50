// Data-parallel training over MPI, run with mpirun -np 2 and -np 3: allreduce sums exactly,
// rank 0's values reach every rank, gradients are averaged bucket by bucket, the parameters stay
// identical on all ranks, and N ranks with batch B train exactly as one process with batch N * B.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataloader.h"
#include "distributed/data_parallel.h"
#include "nn/nn.h"

using namespace minidl;
using namespace minidl::nn;
using distributed::DataParallel;
using distributed::DataParallelOptions;

namespace {

int rank() { return distributed::rank(); }
int ranks() { return distributed::world_size(); }

TEST(Allreduce, SumsAreExactForManySizesAndDtypes) {
  for (int64_t n : {int64_t(1), int64_t(2), int64_t(7), int64_t(1000), int64_t(65537),
                    int64_t((1 << 20) + 3)}) {
    for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
      // Element i of rank r is (r + 1) * (i % 97): integers, so every summation order is exact.
      std::vector<double> values(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) values[size_t(i)] = double((rank() + 1) * (i % 97));
      Tensor t = from_vector<double>(values, {n}).to(dtype);
      distributed::allreduce_sum_(t);
      const std::vector<double> got = t.to_vector<double>();
      const double rank_sum = ranks() * (ranks() + 1) / 2.0;
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(got[size_t(i)], double(i % 97) * rank_sum)
            << "size " << n << " dtype " << dtype << " index " << i;
      }
    }
  }
}

TEST(Allreduce, NonBlockingSumsOfSlicesOfOneBuffer) {
  Tensor buffer = full({10}, double(rank() + 1), DType::Float64);
  distributed::PendingSum first(buffer.narrow(0, 0, 3)), second(buffer.narrow(0, 3, 7));
  second.wait();
  first.wait();
  for (double v : buffer.to_vector<double>()) EXPECT_EQ(v, ranks() * (ranks() + 1) / 2.0);
}

// A network of parameters of uneven sizes (none a multiple of another), float64.
std::shared_ptr<Sequential> network(uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  auto model = make<Sequential>(make<Linear>(6, 13, true, gen), make<Tanh>(),
                                make<Linear>(13, 5, true, gen), make<Tanh>(),
                                make<Linear>(5, 3, true, gen));
  for (Variable p : model->parameters()) p.set_data(p.data().to(dtype));
  return model;
}

std::vector<double> flat_values(const Module& model) {
  return model.flat_parameters().to_vector<double>();
}

TEST(DataParallel, RankZerosValuesReachEveryRank) {
  auto model = network(100 + uint64_t(rank()));  // a different initialisation on every rank
  auto reference = network(100);                 // rank 0's
  DataParallel ddp(*model);
  reference->flatten_parameters();
  EXPECT_EQ(flat_values(*model), flat_values(*reference));
}

TEST(DataParallel, BucketsAverageEveryGradientExactly) {
  // bucket_bytes of 100 (12.5 float64s): four buckets, of 18, 70, 13 and 78 elements (biases
  // smaller than a bucket, weights larger). Rank r's gradient of every element is r + 1, so the
  // average is exact: (N + 1) / 2.
  auto model = network(1);
  DataParallel ddp(*model, {.bucket_bytes = 100});
  ASSERT_EQ(ddp.buckets().size(), 4u);
  EXPECT_EQ(ddp.buckets()[0].end - ddp.buckets()[0].begin, 18);
  EXPECT_EQ(ddp.buckets()[3].end - ddp.buckets()[3].begin, 78);
  EXPECT_EQ(ddp.buckets().front().end, model->flat_gradients().numel());  // last parameters first
  EXPECT_EQ(ddp.buckets().back().begin, 0);
  for (int step = 0; step < 2; ++step) {
    model->zero_grad();
    Variable total;
    for (const Variable& p : model->parameters()) {
      Variable term = sum(p) * double(rank() + 1);
      total = total.defined() ? total + term : term;
    }
    total.backward();
    ddp.synchronize_gradients();
    for (const Variable& p : model->parameters()) {
      for (double g : p.grad().data().to_vector<double>()) ASSERT_EQ(g, (ranks() + 1) / 2.0);
    }
  }
}

TEST(DataParallel, AParameterNoRankUsesGetsAZeroGradientEverywhere) {
  auto model = network(2);
  DataParallel ddp(*model);
  model->zero_grad();
  Variable last = model->parameters().back();
  sum(last * double(rank() + 1)).backward();  // only the last bias is used
  ddp.synchronize_gradients();
  for (const Variable& p : model->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    const double expected = p.same_as(last) ? (ranks() + 1) / 2.0 : 0.0;
    for (double g : p.grad().data().to_vector<double>()) ASSERT_EQ(g, expected);
  }
}

// Regression data: 4 * 3 * 5 * 2 samples, so every rank count here divides each global batch.
struct Data {
  Tensor inputs, targets;
};
Data regression_data(DType dtype) {
  Generator gen(77);
  const int64_t n = 120;
  return {uniform({n, 6}, -1, 1, DType::Float64, gen).to(dtype),
          uniform({n, 3}, -1, 1, DType::Float64, gen).to(dtype)};
}

struct Trainer {
  std::shared_ptr<Sequential> model;
  std::unique_ptr<DataParallel> ddp;
  std::unique_ptr<optim::Adam> adam;
  std::unique_ptr<data::DataLoader> loader;

  Trainer(const Data& d, DType dtype, int64_t batch, int64_t shards, int64_t shard,
          bool distributed) {
    model = network(5, dtype);
    if (distributed)
      ddp = std::make_unique<DataParallel>(*model, DataParallelOptions{.bucket_bytes = 256});
    else
      model->flatten_parameters();  // values unchanged; flat_values reads the buffer
    adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
    // Sample indices as the loader's "inputs", so the rows can be picked from both tensors.
    std::vector<int64_t> index(size_t(d.inputs.size(0)));
    for (size_t i = 0; i < index.size(); ++i) index[i] = int64_t(i);
    loader = std::make_unique<data::DataLoader>(
        from_vector<int64_t>(index, {int64_t(index.size()), 1}), Tensor(),
        data::DataLoaderOptions{.batch_size = batch, .seed = 3, .prefetch = false,
                                .num_shards = shards, .shard = shard});
  }

  void step(const Data& d) {
    std::optional<data::Batch> batch = loader->next();
    ASSERT_TRUE(batch.has_value());
    Tensor rows = from_vector<int64_t>(batch->indices, {int64_t(batch->indices.size())});
    Variable x(index_select(d.inputs, 0, rows)), y(index_select(d.targets, 0, rows));
    model->zero_grad();
    mse_loss(model->forward(x), y).backward();
    if (ddp) ddp->synchronize_gradients();
    adam->step();
  }

  TensorMap checkpoint() const {
    TensorMap all = with_prefix("model.", state_dict(*model));
    for (auto& entry : with_prefix("optimizer.", adam->state_dict())) all.push_back(entry);
    return all;
  }
};

// N ranks x batch B against one process x batch N * B, with a checkpoint saved by rank 0 after
// step 2 and loaded by every rank into a fresh model, optimizer and loader.
void expect_equivalent_to_one_process(DType dtype, double relative_tolerance) {
  const Data d = regression_data(dtype);
  const int64_t batch = 2;
  Trainer single(d, dtype, batch * ranks(), 1, 0, false);
  for (int s = 0; s < 5; ++s) single.step(d);

  const std::string path = std::string(MINIDL_BINARY_DIR) + "/ddp_test_checkpoint_" +
                            std::to_string(ranks()) + ".safetensors";
  auto parallel = std::make_unique<Trainer>(d, dtype, batch, ranks(), rank(), true);
  for (int s = 0; s < 2; ++s) parallel->step(d);
  if (rank() == 0) {
    save_safetensors(path, parallel->checkpoint(), {{"loader", parallel->loader->state().to_string()}});
  }
  distributed::barrier();
  parallel = std::make_unique<Trainer>(d, dtype, batch, ranks(), rank(), true);
  SafetensorsFile file = load_safetensors(path);
  load_state_dict(*parallel->model, strip_prefix(file.tensors, "model."));
  parallel->adam->load_state_dict(strip_prefix(file.tensors, "optimizer."));
  parallel->loader->load_state(data::DataLoaderState::from_string(file.metadata.at("loader")));
  for (int s = 2; s < 5; ++s) parallel->step(d);
  distributed::barrier();
  if (rank() == 0) unlink(path.c_str());

  const std::vector<double> expected = flat_values(*single.model);
  const std::vector<double> got = flat_values(*parallel->model);
  ASSERT_EQ(got.size(), expected.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, std::abs(got[i] - expected[i]) / std::max(std::abs(expected[i]), 1e-3));
  }
  EXPECT_LE(worst, relative_tolerance) << ranks() << " ranks, " << dtype;
  // And the parameters moved: the comparison is not between two untrained copies.
  const std::vector<double> initial = flat_values(*Trainer(d, dtype, 1, 1, 0, true).model);
  EXPECT_NE(initial, expected);
}

TEST(DataParallel, NRanksOfBatchBTrainAsOneProcessOfBatchNTimesBInFloat64) {
  // Only the order of the sums differs (per-rank means, then the average over ranks): rounding
  // of order 1e-16 per operation, far below 1e-12.
  expect_equivalent_to_one_process(DType::Float64, 1e-12);
}

TEST(DataParallel, NRanksOfBatchBTrainAsOneProcessOfBatchNTimesBInFloat32) {
  // The same reordering at float32's 6e-8 per operation, over 5 Adam steps of a 3-layer network:
  // a few dozen roundings.
  expect_equivalent_to_one_process(DType::Float32, 1e-5);
}

TEST(DataParallel, ParametersAreIdenticalOnAllRanksAfterEveryStep) {
  const Data d = regression_data(DType::Float32);
  Trainer t(d, DType::Float32, 4, ranks(), rank(), true);
  for (int s = 0; s < 5; ++s) {
    t.step(d);
    // Two checksums of the exact values: their sum and a position-weighted sum.
    const std::vector<double> values = flat_values(*t.model);
    double plain = 0, weighted = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      plain += values[i];
      weighted += values[i] * double(i + 1);
    }
    for (double other : distributed::allgather(plain)) ASSERT_EQ(other, plain) << "step " << s;
    for (double other : distributed::allgather(weighted)) ASSERT_EQ(other, weighted);
  }
}

}  // namespace
