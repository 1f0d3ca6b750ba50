// Data-parallel runs of the programs: `mpirun -np N build/examples/classifier ...` trains one model
// on N processes (ranks), each on its shard of every batch, with the gradients averaged before
// each step (distributed/, docs/distributed.md). Started without mpirun, or in a build without
// MPI, a program is one rank of one and nothing here does anything.
//
// Rank 0 alone prints (stdout of the other ranks goes to /dev/null, and their progress lines are
// off) and writes files (metrics, PNGs, checkpoints); every rank reads the checkpoint on --resume.
// A failure on any rank ends the whole job with that rank's one-line error (run_program).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/dataloader.h"
#include "nn/module.h"

namespace minidl::distributed {
class DataParallel;
}

namespace minidl::examples {

// Starts MPI when this build has it and mpirun launched the program; then silences stdout on
// every rank but 0. stop_ranks() ends MPI at the end of main().
void start_ranks(int* argc, char*** argv);
void stop_ranks();
int rank();
int ranks();
bool is_main_rank();
bool is_parallel();  // ranks() > 1

double sum_over_ranks(double value);
// Every rank's text, in rank order.
std::vector<std::string> gather_from_ranks(const std::string& text);
void wait_for_ranks();
// Ends every rank of the job with `message` on stderr (prefixed with the rank) and exit_code.
[[noreturn]] void end_job(const std::string& message, int exit_code);

// The checkpoint metadata key of rank r's own state: `key` for rank 0 (as in a one-process run),
// "key.<r>" for the others.
std::string per_rank_key(const std::string& key, int r);

// Loader options for this rank: its shard of every batch (batch_size is per rank).
data::DataLoaderOptions sharded(data::DataLoaderOptions options);

// Averages a model's gradients over the ranks before each optimizer step (distributed::
// DataParallel, which also gives every rank rank 0's initial values); does nothing on one rank.
class GradientAverager {
 public:
  explicit GradientAverager(nn::Module& model);
  ~GradientAverager();
  void synchronize();
  double wait_seconds() const;  // time spent waiting for the averages

 private:
  std::unique_ptr<distributed::DataParallel> ddp_;
};

}  // namespace minidl::examples
