#include "distributed/communicator.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

namespace minidl::distributed {

namespace {

bool started_here = false;

MPI_Datatype mpi_type(const Tensor& tensor, const char* what) {
  MINIDL_CHECK(tensor.defined() && tensor.is_contiguous(),
               what << ": needs a defined, contiguous tensor");
  switch (tensor.dtype()) {
    case DType::Float32:
      return MPI_FLOAT;
    case DType::Float64:
      return MPI_DOUBLE;
    case DType::Int64:
      return MPI_INT64_T;
    default:
      MINIDL_FAIL(what << ": unsupported dtype " << tensor.dtype()
                       << " (float32, float64 or int64)");
  }
}

int count_of(const Tensor& tensor, const char* what) {
  MINIDL_CHECK(tensor.numel() <= std::numeric_limits<int>::max(),
               what << ": " << tensor.numel() << " elements exceed MPI's int count");
  return static_cast<int>(tensor.numel());
}

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  MINIDL_FAIL(what << ": " << std::string(text, size_t(length)));
}

}  // namespace

void init(int* argc, char*** argv) {
  if (is_initialized()) return;
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  started_here = true;
  // Errors come back as codes that check() turns into minidl::Error, instead of MPI's default
  // of ending the job without saying where.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

void finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (started_here && !finalized) MPI_Finalize();
  started_here = false;
}

bool is_initialized() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int rank() {
  if (!is_initialized()) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int world_size() {
  if (!is_initialized()) return 1;
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void abort(const std::string& message, int exit_code) {
  // When several ranks fail at once (the same bad flag or missing file everywhere), rank 0 speaks
  // first and its MPI_Abort ends the others before they print: one line, not N interleaved ones.
  if (is_initialized() && rank() > 0) ::usleep(200000);
  // One write of the whole line: std::cerr would send it in pieces, and mpirun's own report of
  // the abort could land between them.
  const std::string line = "rank " + std::to_string(rank()) + ": " + message + "\n";
  std::fflush(stdout);
  if (::write(STDERR_FILENO, line.data(), line.size()) < 0) std::perror("write");
  if (is_initialized()) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

void barrier() {
  if (is_initialized()) check(MPI_Barrier(MPI_COMM_WORLD), "barrier");
}

void broadcast_(const Tensor& tensor, int root) {
  MPI_Datatype type = mpi_type(tensor, "broadcast");
  if (!is_initialized()) return;
  check(MPI_Bcast(tensor.raw_data(), count_of(tensor, "broadcast"), type, root, MPI_COMM_WORLD),
        "broadcast");
}

void allreduce_sum_(const Tensor& tensor) {
  MPI_Datatype type = mpi_type(tensor, "allreduce");
  if (!is_initialized()) return;
  check(MPI_Allreduce(MPI_IN_PLACE, tensor.raw_data(), count_of(tensor, "allreduce"), type,
                      MPI_SUM, MPI_COMM_WORLD),
        "allreduce");
}

std::vector<double> allgather(double value) {
  if (!is_initialized()) return {value};
  std::vector<double> all(static_cast<size_t>(world_size()));
  check(MPI_Allgather(&value, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD),
        "allgather");
  return all;
}

std::vector<std::string> allgather(const std::string& text) {
  if (!is_initialized()) return {text};
  const int n = world_size();
  MINIDL_CHECK(text.size() <= size_t(std::numeric_limits<int>::max()),
               "allgather: a string of " << text.size() << " bytes");
  const int length = int(text.size());
  std::vector<int> lengths(static_cast<size_t>(n)), offsets(static_cast<size_t>(n));
  check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "allgather");
  int64_t total = 0;
  for (int r = 0; r < n; ++r) {
    offsets[size_t(r)] = int(total);
    total += lengths[size_t(r)];
  }
  MINIDL_CHECK(total <= std::numeric_limits<int>::max(), "allgather: " << total << " bytes");
  std::string all(size_t(total), '\0');
  check(MPI_Allgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                       MPI_CHAR, MPI_COMM_WORLD),
        "allgather");
  std::vector<std::string> out;
  for (int r = 0; r < n; ++r) out.push_back(all.substr(size_t(offsets[size_t(r)]), size_t(lengths[size_t(r)])));
  return out;
}

PendingSum::PendingSum(const Tensor& tensor) {
  MPI_Datatype type = mpi_type(tensor, "allreduce");
  if (!is_initialized()) return;  // one rank: the tensor already holds the sum
  check(MPI_Iallreduce(MPI_IN_PLACE, tensor.raw_data(), count_of(tensor, "allreduce"), type,
                       MPI_SUM, MPI_COMM_WORLD, &request_),
        "allreduce");
}

PendingSum::PendingSum(PendingSum&& other) noexcept
    : request_(std::exchange(other.request_, MPI_REQUEST_NULL)) {}

PendingSum& PendingSum::operator=(PendingSum&& other) noexcept {
  if (this != &other) {
    if (active()) MPI_Wait(&request_, MPI_STATUS_IGNORE);
    request_ = std::exchange(other.request_, MPI_REQUEST_NULL);
  }
  return *this;
}

PendingSum::~PendingSum() {
  if (active() && is_initialized()) MPI_Wait(&request_, MPI_STATUS_IGNORE);
}

bool PendingSum::test() {
  if (!active()) return true;
  int done = 0;
  check(MPI_Test(&request_, &done, MPI_STATUS_IGNORE), "allreduce");
  return done != 0;
}

void PendingSum::wait() {
  if (!active()) return;
  check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "allreduce");
}

}  // namespace minidl::distributed
