// The MPI layer: starting and stopping MPI, this process's rank and the number of ranks, and the
// collectives data-parallel training needs (broadcast, allreduce), on minidl Tensors. MPI is used
// as it comes (Open MPI here); nothing in minidl replaces it.
//
// Without mpirun a program is one rank of one: init() still works, so the same binary runs alone
// or under `mpirun -np N`.
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace minidl::distributed {

// Starts MPI once per process (later calls do nothing). Only the main thread calls MPI; OpenMP
// threads inside the kernels never do (MPI_THREAD_FUNNELED).
void init(int* argc, char*** argv);
// Ends MPI if init() started it (a no-op otherwise, and after the first call).
void finalize();
bool is_initialized();

int rank();        // 0 .. world_size() - 1; 0 before init()
int world_size();  // 1 before init()

// Ends every rank of the job: prints "rank <r>: <message>" on stderr and calls MPI_Abort, so a
// failure on one rank never leaves the others waiting in a collective. Ranks other than 0 wait
// 0.2 s first, so that when every rank fails the same way only rank 0's line is printed. Without
// MPI, exits.
[[noreturn]] void abort(const std::string& message, int exit_code = 1);

void barrier();

// Collectives on a contiguous float32, float64 or int64 tensor, in place, over all ranks.
void broadcast_(const Tensor& tensor, int root = 0);
void allreduce_sum_(const Tensor& tensor);
// The values of a one-element double from every rank, in rank order.
std::vector<double> allgather(double value);
// Every rank's string, in rank order (per-rank state for a checkpoint that rank 0 writes).
std::vector<std::string> allgather(const std::string& text);

// A non-blocking allreduce in flight (MPI_Iallreduce): the tensor holds the sum after wait().
class PendingSum {
 public:
  PendingSum() = default;
  explicit PendingSum(const Tensor& tensor);
  PendingSum(PendingSum&& other) noexcept;
  PendingSum& operator=(PendingSum&& other) noexcept;
  PendingSum(const PendingSum&) = delete;
  PendingSum& operator=(const PendingSum&) = delete;
  ~PendingSum();  // waits: the buffer must not be freed or reused while MPI writes to it

  bool active() const { return request_ != MPI_REQUEST_NULL; }
  bool test();  // lets MPI progress; true once finished
  void wait();

 private:
  MPI_Request request_ = MPI_REQUEST_NULL;
};

}  // namespace minidl::distributed
