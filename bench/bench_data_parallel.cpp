// Training throughput of the example programs' VAE and classifier, alone or data-parallel under
// mpirun: images per second over the whole job and the share of each step spent waiting for the
// gradient averages (docs/distributed.md). Random images of Fashion-MNIST's shape: the speed of
// a step does not depend on the pixel values.
//
//   bench_data_parallel --model vae --batch 128 --threads 2             # 1 rank x 2 threads
//   mpirun -np 2 bench_data_parallel --model vae --batch 128 --threads 1  # 2 ranks x 1 thread
//
// --batch is the global batch: each of N ranks trains on batch / N images per step, so every
// configuration does the same work per step. Prints one line (rank 0) with the median over
// --repeats timed runs of --steps steps each.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "distributed/data_parallel.h"
#include "examples/classifier/classifier_model.h"
#include "examples/common/program.h"
#include "examples/vae/vae_model.h"
#include "nn/losses.h"
#include "nn/optim/adam.h"
#include "tensor/threading.h"

using namespace minidl;
using namespace minidl::examples;

namespace {

struct Options {
  std::string model = "vae";
  int64_t batch = 128;
  int threads = 1;
  int steps = 100;
  int repeats = 5;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") o.model = value;
    else if (flag == "--batch") o.batch = std::atoll(value.c_str());
    else if (flag == "--threads") o.threads = std::atoi(value.c_str());
    else if (flag == "--steps") o.steps = std::atoi(value.c_str());
    else if (flag == "--repeats") o.repeats = std::atoi(value.c_str());
    else distributed::abort("bench_data_parallel: unknown flag " + flag);
  }
  if (o.model != "vae" && o.model != "classifier")
    distributed::abort("bench_data_parallel: --model must be vae or classifier");
  if (o.batch % distributed::world_size() != 0 || o.steps < 1 || o.repeats < 1)
    distributed::abort("bench_data_parallel: --batch must be a multiple of the rank count");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  minidl::apply_spin_count_default(argv);  // before anything: it may re-execute the program
  distributed::init(&argc, &argv);
  const Options o = parse(argc, argv);
  setup_compute(o.threads);
  const int ranks = distributed::world_size();
  const int64_t local = o.batch / ranks;

  Generator gen(1 + uint64_t(distributed::rank()));
  const Tensor images = uniform({local, 784}, 0, 1, DType::Float32, gen);
  const Tensor labels = randint(0, 10, {local}, gen);
  Generator init(1), noise(2);
  std::shared_ptr<nn::Module> model;
  if (o.model == "vae")
    model = std::make_shared<Vae>(VaeShape{}, init);
  else
    model = std::make_shared<Classifier>(ClassifierShape{}, init);
  distributed::DataParallel ddp(*model);
  optim::Adam adam(model->parameters(), {.lr = 1e-3});

  auto step = [&] {
    Variable loss;
    if (o.model == "vae") {
      loss = negative_elbo(static_cast<Vae&>(*model), Variable(images), noise).total() *
             double(ranks);
    } else {
      loss = nn::cross_entropy((*model)(Variable(images)), labels);
    }
    model->zero_grad();
    loss.backward();
    ddp.synchronize_gradients();
    adam.step();
  };
  for (int i = 0; i < 10; ++i) step();  // warm-up: allocations, OpenBLAS buffers

  std::vector<double> rates, shares;
  for (int r = 0; r < o.repeats; ++r) {
    distributed::barrier();
    const double wait_before = ddp.wait_seconds();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < o.steps; ++i) step();
    distributed::barrier();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(double(o.batch) * o.steps / seconds);
    // Rank 0's share: it includes waiting for a slower rank, not only moving the data.
    shares.push_back((ddp.wait_seconds() - wait_before) / seconds);
  }
  std::sort(rates.begin(), rates.end());
  std::sort(shares.begin(), shares.end());
  if (distributed::rank() == 0) {
    std::printf("%s ranks %d threads %d batch %lld: %.0f images/s (median of %d runs of %d steps), "
                "waiting on communication %.1f%% of a step\n",
                o.model.c_str(), ranks, o.threads, (long long)o.batch, rates[rates.size() / 2],
                o.repeats, o.steps, 100 * shares[shares.size() / 2]);
  }
  distributed::finalize();
  return 0;
}
