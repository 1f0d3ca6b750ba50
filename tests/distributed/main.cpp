// GoogleTest under mpirun: every rank runs every test (the tests are collective). Rank 0 prints
// GoogleTest's usual report; the other ranks print only their failures, prefixed with the rank.
#include <gtest/gtest.h>

#include <iostream>

#include "distributed/communicator.h"

namespace {

class FailurePrinter : public testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::cerr << "rank " << rank_ << ": " << (result.file_name() ? result.file_name() : "?") << ':'
              << result.line_number() << ": " << result.summary() << std::endl;
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  minidl::distributed::init(&argc, &argv);
  const int rank = minidl::distributed::rank();
  if (rank != 0) {
    testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailurePrinter(rank));
  }
  const int result = RUN_ALL_TESTS();
  minidl::distributed::finalize();
  return result;
}
