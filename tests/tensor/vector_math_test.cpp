// The vectorised transcendental kernels (tensor/vector_math.h) through the tensor ops that use
// them: error in ulps against glibc's long double functions over dense sweeps of each function's
// whole range (2^18 bit patterns of each type: +-0, subnormals, normals up to the largest finite
// value, +-inf and NaNs, plus fine linear grids where the functions bend), exact special values,
// and the same bits from the vector loop, the scalar (strided) loop and 1 or 2 threads.
#include <cmath>
#include <cstring>
#include <limits>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

using test::bit_identical;
using test::ScopedThreads;
using test::values;

// One ulp of the format T at the magnitude of y (the spacing of T's values around y, subnormal
// spacing below the normal range).
template <typename T>
long double ulp_at(long double y) {
  y = std::fabs(y);
  if (y < std::numeric_limits<T>::min()) return std::numeric_limits<T>::denorm_min();
  int exponent = 0;
  std::frexp(y, &exponent);  // y = m 2^exponent, m in [0.5, 1)
  return std::ldexp(1.0L, exponent - std::numeric_limits<T>::digits);
}

// |got - reference| in ulps of T; NaN must meet NaN and an infinite result the same infinity as
// the correctly rounded reference (anything else counts as a huge error).
template <typename T>
double ulp_error(T got, long double reference) {
  constexpr double kWrong = 1e9;
  if (std::isnan(reference) || std::isnan(got)) {
    return std::isnan(reference) && std::isnan(got) ? 0 : kWrong;
  }
  const T rounded = static_cast<T>(reference);
  if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0 : kWrong;
  return double(std::fabs(static_cast<long double>(got) - reference) / ulp_at<T>(reference));
}

// 2^18 bit patterns of T spread evenly from 0 to all ones (with varying low bits), so both signs,
// every exponent, subnormals, infinities and NaNs all appear; plus `grid` evenly spaced points on
// [low, high] and the special values.
template <typename T>
std::vector<T> sweep(double low, double high, int64_t grid) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr int kPatterns = 18;
  constexpr Bits kStep = Bits(1) << (8 * sizeof(T) - kPatterns);
  std::vector<T> xs;
  for (Bits i = 0; i < (Bits(1) << kPatterns); ++i) {
    const Bits bits = i * kStep + (i & (kStep - 1));
    T x;
    std::memcpy(&x, &bits, sizeof(T));
    xs.push_back(x);
  }
  for (int64_t i = 0; i <= grid; ++i)
    xs.push_back(T(low + (high - low) * double(i) / double(grid)));
  const T specials[] = {T(0),
                        -T(0),
                        std::numeric_limits<T>::infinity(),
                        -std::numeric_limits<T>::infinity(),
                        std::numeric_limits<T>::quiet_NaN(),
                        std::numeric_limits<T>::denorm_min(),
                        std::numeric_limits<T>::min(),
                        std::numeric_limits<T>::max(),
                        -std::numeric_limits<T>::max()};
  xs.insert(xs.end(), std::begin(specials), std::end(specials));
  return xs;
}

struct Accuracy {
  const char* name;
  Tensor (*op)(const Tensor&);
  long double (*reference)(long double);
  double low, high;  // where the fine grid goes
  double max_ulp_float, max_ulp_double;
};

// The bounds are the errors measured over 2^28 floats and 2^26 doubles (tensor/vector_math.h's
// table) rounded up; a wrong coefficient, a lost correction term or a bad special case exceeds
// them by far (tried: one coefficient of double exp cut to 12 digits gives 15 ulp).
const Accuracy kAccuracy[] = {
    {"exp", [](const Tensor& x) { return exp(x); }, [](long double x) { return std::exp(x); }, -110,
     90, 1.0, 1.0},
    {"expm1", [](const Tensor& x) { return expm1(x); }, [](long double x) { return std::expm1(x); },
     -20, 20, 1.5, 1.5},
    {"log", [](const Tensor& x) { return log(x); }, [](long double x) { return std::log(x); }, 0, 4,
     1.0, 1.0},
    {"log1p", [](const Tensor& x) { return log1p(x); }, [](long double x) { return std::log1p(x); },
     -1, 3, 1.0, 1.0},
    {"tanh", [](const Tensor& x) { return tanh(x); }, [](long double x) { return std::tanh(x); },
     -10, 10, 2.0, 2.0},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); },
     [](long double x) { return 1 / (1 + std::exp(-x)); }, -110, 40, 2.0, 2.0},
    {"softplus", [](const Tensor& x) { return softplus(x); },
     [](long double x) { return (x > 0 ? x : 0) + std::log1p(std::exp(-std::fabs(x))); }, -110, 40,
     2.0, 2.0},
};

template <typename T>
void expect_accurate(const Accuracy& f, double max_ulp) {
  SCOPED_TRACE(std::string(f.name) + " " + std::string(dtype_name(dtype_of<T>())));
  const std::vector<T> xs = sweep<T>(f.low, f.high, 100000);
  const std::vector<T> got = f.op(from_vector(xs)).template to_vector<T>();
  double worst = 0;
  T worst_at = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double error = ulp_error(got[i], f.reference(xs[i]));
    if (error > worst) {
      worst = error;
      worst_at = xs[i];
    }
  }
  EXPECT_LE(worst, max_ulp) << "worst at x = " << double(worst_at);
}

void PrintTo(const Accuracy& accuracy, std::ostream* os) { *os << accuracy.name; }

// One test case per function, so ctest spreads them over cores.
class VectorMathAccuracy : public ::testing::TestWithParam<Accuracy> {};

TEST_P(VectorMathAccuracy, WithinAFewUlpOfLongDoubleLibmEverywhere) {
  expect_accurate<float>(GetParam(), GetParam().max_ulp_float);
  expect_accurate<double>(GetParam(), GetParam().max_ulp_double);
}

INSTANTIATE_TEST_SUITE_P(VectorMath, VectorMathAccuracy, ::testing::ValuesIn(kAccuracy),
                         [](const ::testing::TestParamInfo<Accuracy>& info) {
                           return std::string(info.param.name);
                         });

constexpr double kInf = std::numeric_limits<double>::infinity();

// Bitwise equality, so +0 and -0 differ and NaN equals NaN.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_values(const std::vector<double>& got, const std::vector<double>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at index " << i << ": " << got[i];
    } else {
      EXPECT_TRUE(same_bits(got[i], expected[i]))
          << "at index " << i << ": got " << got[i] << ", expected " << expected[i];
    }
  }
}

TEST(VectorMath, SpecialValuesAreExact) {
  const double nan = std::nan("");
  for (DType dtype : test::kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    const double tiny = dtype == DType::Float32 ? 1.401298464324817e-45 : 4.9406564584124654e-324;
    Tensor x = tensor({-kInf, -1000, -0.0, 0.0, 1000, kInf, nan}, dtype);
    expect_values(values(exp(x)), {0, 0, 1, 1, kInf, kInf, nan});
    expect_values(values(expm1(x)), {-1, -1, -0.0, 0.0, kInf, kInf, nan});
    expect_values(values(tanh(x)), {-1, -1, -0.0, 0.0, 1, 1, nan});
    expect_values(values(sigmoid(x)), {0, 0, 0.5, 0.5, 1, 1, nan});
    Tensor no_zero = tensor({-kInf, -1000, 1000, kInf, nan}, dtype);
    expect_values(values(softplus(no_zero)), {0, 0, 1000, kInf, nan});
    // exp rounds to inf just past overflow, and to 0 past the subnormals.
    EXPECT_EQ(exp(tensor({dtype == DType::Float32 ? 89.0 : 710.0}, dtype)).item(), kInf);
    EXPECT_EQ(exp(tensor({dtype == DType::Float32 ? -104.0 : -746.0}, dtype)).item(), 0);

    Tensor positive = tensor({-kInf, -1, -tiny, -0.0, 0.0, 1, kInf, nan}, dtype);
    expect_values(values(log(positive)), {nan, nan, nan, -kInf, -kInf, 0, kInf, nan});
    Tensor around_minus_one = tensor({-kInf, -2, -1, -0.0, 0.0, tiny, -tiny, kInf, nan}, dtype);
    expect_values(values(log1p(around_minus_one)),
                  {nan, nan, -kInf, -0.0, 0.0, tiny, -tiny, kInf, nan});
    // Subnormal arguments come back unchanged where the function is x to within rounding.
    expect_values(values(expm1(tensor({tiny, -tiny}, dtype))), {tiny, -tiny});
    expect_values(values(tanh(tensor({tiny, -tiny}, dtype))), {tiny, -tiny});
  }
}

// The same function through the vectorised contiguous loop (whose tail may run as scalar code) and
// through the strided loop (scalar code) must agree bit for bit, and with 1 and 2 threads.
TEST(VectorMath, SameBitsFromVectorScalarAndThreadedLoops) {
  Generator gen(5);
  // 2 x 100003 elements: above the parallel grain, odd, not a multiple of any vector width.
  for (DType dtype : test::kFloatTypes) {
    Tensor wide = normal({100003, 2}, 0, 8, dtype, gen);
    Tensor strided = wide.select(1, 0);  // stride 2: the scalar loop
    Tensor contiguous = strided.contiguous();
    for (const Accuracy& f : kAccuracy) {
      SCOPED_TRACE(std::string(f.name) + " " + std::string(dtype_name(dtype)));
      // log and log1p on |x| so most values are in their domain.
      const bool positive = f.name[0] == 'l';
      Tensor in_contiguous = positive ? abs(contiguous) : contiguous;
      Tensor in_strided = positive ? abs(wide).select(1, 0) : strided;
      Tensor one;
      {
        ScopedThreads threads(1);
        one = f.op(in_contiguous);
      }
      ScopedThreads threads(2);
      EXPECT_TRUE(bit_identical(one, f.op(in_contiguous)));
      EXPECT_TRUE(bit_identical(one, f.op(in_strided)));
    }
  }
}

// elu uses expm1 for its negative side. References: torch.nn.functional.elu(x, alpha=1.5) in
// float64, except at -1e-30, where torch returns 0 and the exact value is 1.5 expm1(-1e-30) =
// -1.5e-30 (to 30 digits): expm1 keeps what exp(x) - 1 loses.
TEST(VectorMath, EluUsesTheVectorExpm1) {
  for (DType dtype : test::kFloatTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    Tensor x = tensor({-0.25, -3, -1000, 2}, dtype);
    test::expect_all_near(elu(x, 1.5), {-0.3317988253928927, -1.4253193974482041, -1.5, 2},
                          dtype == DType::Float32 ? 2e-7 : 4e-16);
    const double tiny = elu(tensor({-1e-30}, dtype), 1.5).item();
    EXPECT_NEAR(tiny / -1.5e-30, 1.0, dtype == DType::Float32 ? 2e-7 : 4e-16);
  }
}

}  // namespace
}  // namespace minidl
