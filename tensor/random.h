// Seeded random numbers. Every draw takes a Generator (defaulting to one process-wide generator,
// seeded with 0 until manual_seed is called). Values are drawn serially in row-major order, so the
// same seed gives the same numbers whatever the thread count.
#pragma once

#include <array>
#include <cstdint>

#include "tensor/core.h"

namespace minidl {

// xoshiro256** (Blackman and Vigna, 2018): small state, fast, passes BigCrush. Seeded through
// splitmix64 so that nearby seeds give unrelated streams.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
  void manual_seed(uint64_t seed);

  uint64_t next_u64();
  double uniform();  // [0, 1) with 53 random bits
  double normal();   // standard normal, Box-Muller (the second value of each pair is cached)

  // The full state, for checkpoints: resuming from it continues the same stream.
  using State = std::array<uint64_t, 6>;
  State state() const;
  void set_state(const State& state);

 private:
  std::array<uint64_t, 4> s_{};
  bool has_cached_normal_ = false;
  double cached_normal_ = 0.0;
};

Generator& default_generator();
void manual_seed(uint64_t seed);  // reseeds the default generator

Tensor uniform(const Shape& shape, double low = 0.0, double high = 1.0,
               DType dtype = DType::Float32, Generator& gen = default_generator());
Tensor normal(const Shape& shape, double mean = 0.0, double std = 1.0, DType dtype = DType::Float32,
              Generator& gen = default_generator());
Tensor rand(const Shape& shape, DType dtype = DType::Float32, Generator& gen = default_generator());
Tensor randn(const Shape& shape, DType dtype = DType::Float32,
             Generator& gen = default_generator());
// 1 with probability p, else 0, in dtype.
Tensor bernoulli(const Shape& shape, double p, DType dtype = DType::Float32,
                 Generator& gen = default_generator());
// 1 with probability probabilities[i] elementwise (values in [0, 1]).
Tensor bernoulli(const Tensor& probabilities, Generator& gen = default_generator());
// Integers uniformly in [low, high), int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen = default_generator());
// A random permutation of 0..n-1 (Fisher-Yates), int64.
Tensor randperm(int64_t n, Generator& gen = default_generator());

}  // namespace minidl
