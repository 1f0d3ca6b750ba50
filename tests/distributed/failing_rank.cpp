// A job whose rank 1 cannot read its data file while the other ranks wait in a collective: the
// failing rank must end the whole job (distributed::abort) with its one-line error, never leave
// the others hanging. Run by fails_fast.cmake under mpirun.
#include <string>

#include "data/read_file.h"
#include "distributed/communicator.h"
#include "tensor/tensor.h"

int main(int argc, char** argv) {
  using namespace minidl;
  distributed::init(&argc, &argv);
  const std::string path = argc > 1 ? argv[1] : "missing.idx";
  try {
    if (distributed::rank() == 1) data::read_file(path, "load");  // throws: no such file
    Tensor t = ones({4});
    distributed::allreduce_sum_(t);  // rank 0 waits here for rank 1
  } catch (const Error& e) {
    distributed::abort(e.what());
  }
  distributed::finalize();
  return 0;
}
