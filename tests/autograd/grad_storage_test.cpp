// A leaf's persistent gradient storage and its grad-ready hooks: backward() copies the first
// contribution into the storage and adds later ones in place, so grad() is the same memory every
// step; hooks run once per pass, when no contribution to the leaf is still to come.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "autograd/autograd.h"

using namespace minidl;

namespace {

Tensor values(const std::vector<double>& v) { return from_vector<double>(v, {int64_t(v.size())}); }

TEST(GradStorage, SecondStepReusesTheMemoryOfTheFirst) {
  Variable w(values({1, 2, 3}), true);
  Variable x(values({4, 5, 6}));
  sum(w * x).backward();
  const void* first = w.grad().data().raw_data();
  EXPECT_EQ(w.grad().data().to_vector<double>(), (std::vector<double>{4, 5, 6}));
  w.zero_grad();
  EXPECT_FALSE(w.grad().defined());
  EXPECT_EQ(w.grad_storage().to_vector<double>(), (std::vector<double>{0, 0, 0}));
  sum(w * w).backward();
  EXPECT_EQ(w.grad().data().raw_data(), first);
  EXPECT_EQ(w.grad().data().to_vector<double>(), (std::vector<double>{2, 4, 6}));
}

TEST(GradStorage, AccumulatesAcrossPassesAndUsesIntoTheGivenStorage) {
  Variable w(values({1, 2}), true);
  Tensor storage = zeros({2}, DType::Float64);
  w.set_grad_storage(storage);
  Variable y = w * 3.0;
  sum(y + w * w).backward();  // two contributions in one pass: 3 + 2w
  sum(w).backward();          // a second pass adds 1
  EXPECT_TRUE(w.grad().data().shares_storage_with(storage));
  EXPECT_EQ(storage.to_vector<double>(), (std::vector<double>{6, 8}));
}

TEST(GradStorage, TheGradientOfOneLeafIsNotSharedWithAnother) {
  // An add passes the same gradient to both inputs: each leaf must get its own copy.
  Variable a(values({1, 1}), true), b(values({2, 2}), true);
  sum(a + b).backward();
  sum(a * 5.0).backward();
  EXPECT_EQ(a.grad().data().to_vector<double>(), (std::vector<double>{6, 6}));
  EXPECT_EQ(b.grad().data().to_vector<double>(), (std::vector<double>{1, 1}));
}

TEST(GradStorage, RejectsAStorageOfAnotherShape) {
  Variable w(values({1, 2}), true);
  try {
    w.set_grad_storage(zeros({3}, DType::Float64));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("set_grad_storage"), std::string::npos) << e.what();
  }
}

TEST(GradReadyHook, RunsOnceWhenTheLastContributionHasArrived) {
  // w is used at the start and at the end of a chain: its gradient is final only after the
  // backward of the first use, which runs last.
  Variable w(values({0.5, 2}), true);
  Variable x(values({1, 3}), true);
  std::vector<std::string> events;
  std::vector<double> seen;
  w.add_grad_ready_hook([&](const Variable& leaf) {
    events.push_back("w");
    seen = leaf.grad().data().to_vector<double>();
  });
  x.add_grad_ready_hook([&](const Variable&) { events.push_back("x"); });
  Variable h = relu(w * x);
  Variable out = sum(h * h * w);
  out.backward();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::count(events.begin(), events.end(), "w"), 1);
  // When the hook ran the gradient was complete: it equals the final one.
  EXPECT_EQ(seen, w.grad().data().to_vector<double>());
  // d/dw of sum(w^3 x^2) = 3 w^2 x^2 (relu is the identity here).
  EXPECT_DOUBLE_EQ(seen[0], 3 * 0.25 * 1);
  EXPECT_DOUBLE_EQ(seen[1], 3 * 4 * 9);
}

TEST(GradReadyHook, RunsInReverseOrderOfUseAlongAChain) {
  Variable a(values({1}), true), b(values({2}), true), c(values({3}), true);
  std::vector<std::string> order;
  for (auto* entry : {&a, &b, &c}) {
    std::string name = entry == &a ? "a" : entry == &b ? "b" : "c";
    entry->add_grad_ready_hook([&order, name](const Variable&) { order.push_back(name); });
  }
  Variable y = relu(relu(relu(a) * b) * c);
  sum(y).backward();
  EXPECT_EQ(order, (std::vector<std::string>{"c", "b", "a"}));
}

TEST(GradReadyHook, RemovedHooksAndLeavesOutsideTheGraphDoNotRun) {
  Variable w(values({1}), true), unused(values({1}), true);
  int w_calls = 0, unused_calls = 0;
  const int id = w.add_grad_ready_hook([&](const Variable&) { ++w_calls; });
  unused.add_grad_ready_hook([&](const Variable&) { ++unused_calls; });
  sum(w * 2.0).backward();
  w.remove_grad_ready_hook(id);
  sum(w * 2.0).backward();
  EXPECT_EQ(w_calls, 1);
  EXPECT_EQ(unused_calls, 0);
}

TEST(GradReadyHook, RunsForALeafThatIsItselfTheOutput) {
  Variable w(values({7}), true);
  int calls = 0;
  w.add_grad_ready_hook([&](const Variable&) { ++calls; });
  w.backward();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(w.grad().item(), 1.0);
}

TEST(GradReadyHook, GradDoesNotRunHooks) {
  Variable w(values({1}), true);
  int calls = 0;
  w.add_grad_ready_hook([&](const Variable&) { ++calls; });
  grad({sum(w * w)}, {w});
  EXPECT_EQ(calls, 0);
}

}  // namespace
