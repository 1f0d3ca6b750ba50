#include "tensor/random.h"

#include <cmath>
#include <cstring>
#include <numbers>

namespace minidl {

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Fills a new tensor with draw() in row-major order, computed in double and cast to dtype.
template <typename Draw>
Tensor fill_random(const Shape& shape, DType dtype, const char* op, Draw draw) {
  Tensor out = Tensor::empty(shape, dtype);
  dispatch_all(dtype, [&]<typename T>() {
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(draw());
  });
  (void)op;
  return out;
}

}  // namespace

void Generator::manual_seed(uint64_t seed) {
  uint64_t x = seed;
  for (auto& word : s_) word = splitmix64(x);
  has_cached_normal_ = false;
  cached_normal_ = 0.0;
}

uint64_t Generator::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Generator::uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  if (has_cached_normal_) {
    has_cached_normal_ = false;
    return cached_normal_;
  }
  // 1 - uniform() is in (0, 1], so the log is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  cached_normal_ = radius * std::sin(angle);
  has_cached_normal_ = true;
  return radius * std::cos(angle);
}

Generator::State Generator::state() const {
  uint64_t cached_bits;
  static_assert(sizeof(cached_bits) == sizeof(cached_normal_));
  std::memcpy(&cached_bits, &cached_normal_, sizeof(cached_bits));
  return {s_[0], s_[1], s_[2], s_[3], uint64_t(has_cached_normal_), cached_bits};
}

void Generator::set_state(const State& state) {
  MINIDL_CHECK(state[0] | state[1] | state[2] | state[3],
               "Generator::set_state: an all-zero state is invalid for xoshiro256**");
  MINIDL_CHECK(state[4] <= 1, "Generator::set_state: corrupt cached-normal flag " << state[4]);
  for (int i = 0; i < 4; ++i) s_[size_t(i)] = state[size_t(i)];
  has_cached_normal_ = state[4] == 1;
  std::memcpy(&cached_normal_, &state[5], sizeof(cached_normal_));
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

Tensor uniform(const Shape& shape, double low, double high, DType dtype, Generator& gen) {
  MINIDL_CHECK(low <= high, "uniform: low " << low << " is greater than high " << high);
  MINIDL_CHECK(is_floating(dtype), "uniform: dtype " << dtype << " is not a float type");
  return fill_random(shape, dtype, "uniform", [&] { return low + (high - low) * gen.uniform(); });
}

Tensor normal(const Shape& shape, double mean, double std, DType dtype, Generator& gen) {
  MINIDL_CHECK(std >= 0, "normal: std must be non-negative, got " << std);
  MINIDL_CHECK(is_floating(dtype), "normal: dtype " << dtype << " is not a float type");
  return fill_random(shape, dtype, "normal", [&] { return mean + std * gen.normal(); });
}

Tensor rand(const Shape& shape, DType dtype, Generator& gen) {
  return uniform(shape, 0.0, 1.0, dtype, gen);
}

Tensor randn(const Shape& shape, DType dtype, Generator& gen) {
  return normal(shape, 0.0, 1.0, dtype, gen);
}

Tensor bernoulli(const Shape& shape, double p, DType dtype, Generator& gen) {
  MINIDL_CHECK(p >= 0 && p <= 1, "bernoulli: probability " << p << " is outside [0, 1]");
  return fill_random(shape, dtype, "bernoulli", [&] { return gen.uniform() < p ? 1.0 : 0.0; });
}

Tensor bernoulli(const Tensor& probabilities, Generator& gen) {
  MINIDL_CHECK(probabilities.defined() && is_floating(probabilities.dtype()),
               "bernoulli: probabilities must be a float tensor");
  std::vector<double> p = probabilities.to_vector<double>();
  for (double v : p) {
    MINIDL_CHECK(v >= 0 && v <= 1, "bernoulli: probability " << v << " is outside [0, 1]");
  }
  size_t i = 0;
  return fill_random(probabilities.shape(), probabilities.dtype(), "bernoulli",
                     [&] { return gen.uniform() < p[i++] ? 1.0 : 0.0; });
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen) {
  MINIDL_CHECK(low < high, "randint: empty range [" << low << ", " << high << ")");
  const uint64_t span = uint64_t(high - low);
  // Rejection sampling removes the modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  return fill_random(shape, DType::Int64, "randint", [&] {
    uint64_t v;
    do v = gen.next_u64();
    while (v >= limit);
    return low + int64_t(v % span);
  });
}

Tensor randperm(int64_t n, Generator& gen) {
  MINIDL_CHECK(n >= 0, "randperm: n must be non-negative, got " << n);
  Tensor out = Tensor::empty({n}, DType::Int64);
  int64_t* p = out.data<int64_t>();
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    const uint64_t span = uint64_t(i + 1);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t v;
    do v = gen.next_u64();
    while (v >= limit);
    std::swap(p[i], p[int64_t(v % span)]);
  }
  return out;
}

}  // namespace minidl
