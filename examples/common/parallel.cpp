#include "examples/common/parallel.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#ifdef MINIDL_HAVE_MPI
#include "distributed/communicator.h"
#include "distributed/data_parallel.h"
#else
// Never created without MPI; GradientAverager's unique_ptr needs a complete type to destroy.
namespace minidl::distributed {
class DataParallel {};
}  // namespace minidl::distributed
#endif

namespace minidl::examples {

#ifdef MINIDL_HAVE_MPI

void start_ranks(int* argc, char*** argv) {
  // Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; without it the program was started on its own
  // and stays a plain process (MPI_Init would work, as a singleton, but starts Open MPI for
  // nothing).
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMI_SIZE") == nullptr) return;
  distributed::init(argc, argv);
  std::atexit(distributed::finalize);  // every return from main ends MPI properly
  if (distributed::rank() != 0 && std::freopen("/dev/null", "w", stdout) == nullptr) {
    std::perror("freopen /dev/null");
  }
}

void stop_ranks() { distributed::finalize(); }
int rank() { return distributed::rank(); }
int ranks() { return distributed::world_size(); }

double sum_over_ranks(double value) {
  double total = 0;
  for (double v : distributed::allgather(value)) total += v;
  return total;
}

std::vector<std::string> gather_from_ranks(const std::string& text) {
  return distributed::allgather(text);
}

void wait_for_ranks() { distributed::barrier(); }

void end_job(const std::string& message, int exit_code) { distributed::abort(message, exit_code); }

GradientAverager::GradientAverager(nn::Module& model) {
  if (is_parallel()) ddp_ = std::make_unique<distributed::DataParallel>(model);
}

void GradientAverager::synchronize() {
  if (ddp_) ddp_->synchronize_gradients();
}

double GradientAverager::wait_seconds() const { return ddp_ ? ddp_->wait_seconds() : 0.0; }

#else

void start_ranks(int*, char***) {}
void stop_ranks() {}
int rank() { return 0; }
int ranks() { return 1; }
double sum_over_ranks(double value) { return value; }
std::vector<std::string> gather_from_ranks(const std::string& text) { return {text}; }
void wait_for_ranks() {}

void end_job(const std::string& message, int exit_code) {
  std::cerr << message << std::endl;
  std::exit(exit_code);
}

GradientAverager::GradientAverager(nn::Module&) {}
void GradientAverager::synchronize() {}
double GradientAverager::wait_seconds() const { return 0.0; }

#endif

GradientAverager::~GradientAverager() = default;

bool is_main_rank() { return rank() == 0; }
bool is_parallel() { return ranks() > 1; }

std::string per_rank_key(const std::string& key, int r) {
  return r == 0 ? key : key + "." + std::to_string(r);
}

data::DataLoaderOptions sharded(data::DataLoaderOptions options) {
  options.num_shards = ranks();
  options.shard = rank();
  return options;
}

}  // namespace minidl::examples
