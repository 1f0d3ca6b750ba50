// Vectorisable exp, expm1, log, log1p, tanh, sigmoid and softplus for float and double (internal to
// tensor/; the elementwise kernels call them per element inside `#pragma omp simd` loops).
//
// Why not std::exp: GCC turns a loop of libm calls into vector code only under -ffast-math (through
// glibc's libmvec), and -ffast-math also assumes there are no NaNs or infinities, which would break
// the special values minidl's tests pin down. Each libm call then costs 5-15 ns per element,
// scalar; a VAE epoch spent ~15% of its time in log1pf/expf alone (softplus in BCE-with-logits).
//
// So every function here is straight-line code with no calls and no branches: range reduction with
// the exponent handled as an integer (std::bit_cast), a polynomial, and bit-mask selects between
// values already computed for the special values. GCC 12 vectorises all of them, float and double,
// for -march=native (AVX-512 here, 256-bit vectors by GCC's preference) and -march=znver3 (AVX2)
// alike (checked with -fopt-info-vec). Every element goes
// through the same operations whether it lands in a vector body or a scalar remainder, so results
// do not depend on how a loop is split between threads.
//
// Accuracy: the largest error in units in the last place of the result, against glibc in double
// (float) or long double (double), over every 16th float bit pattern (2^28 inputs) and 2^26 double
// bit patterns spread over the whole range (subnormals to overflow, both signs); the test
// tests/tensor/vector_math_test.cpp repeats a smaller sweep in every build:
//
//   max ulp error     exp   expm1   log   log1p   tanh   sigmoid   softplus
//   float             0.81  1.34    0.82  0.81    1.50   1.90      1.57
//   double            0.78  1.26    0.82  0.79    1.49   1.80      1.50
//
// and exactly: exp(-inf) = 0, exp(x > max) = inf, log(0) = -inf, log(x < 0) = NaN,
// log1p(-1) = -inf, expm1/log1p/tanh keep +-0 and subnormals, tanh(+-inf) = +-1, sigmoid and
// softplus finite and exact at +-1000, NaN in gives NaN out.
//
// Methods: exp and expm1 reduce x = n ln2 + r, |r| <= ln2/2 (Cody and Waite's two-part ln2, as in
// Cephes), approximate expm1(r) = r + r^2 P(r) with a polynomial fitted to (e^r - 1 - r) / r^2
// (mpmath.chebyfit on [-ln2/2, ln2/2], degree 5 for float, 10 for double), and scale by 2^n built
// in the exponent bits. log and log1p split x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)) and
// use fdlibm's log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f), with fdlibm's
// coefficients (FreeBSD msun e_log.c and e_logf.c); log1p adds the rounding error of 1 + x back as
// in fdlibm's s_log1p.c. tanh is an odd polynomial below 0.625 (fitted like expm1's) and
// expm1(2x) / (expm1(2x) + 2) above; sigmoid and softplus are built from exp and log1p.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace minidl::vector_math {

namespace detail {

template <typename T>
struct Traits;

template <>
struct Traits<float> {
  using Bits = uint32_t;
  static constexpr int kMantissaBits = 23;
  static constexpr Bits kExponentBias = 127;
  // Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, which then sits in the
  // low mantissa bits of the sum.
  static constexpr float kRoundShifter = 0x1.8p23f;
  static constexpr float kLog2e = 0x1.715476p+0f;
  // ln 2 = kLn2Hi + kLn2Lo, with kLn2Hi short enough that n * kLn2Hi is exact (Cephes).
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
  // exp overflows above 88.72 and rounds to 0 below -103.97; clamping to just outside keeps 2^n in
  // range while giving the same inf and 0. expm1 is -1 (rounded) below -17.4.
  static constexpr float kExpMin = -104.0f, kExpMax = 89.0f, kExpm1Min = -30.0f;
  // Below these magnitudes expm1(x), log1p(x) and tanh(x) round to x itself.
  static constexpr float kTiny = 0x1p-25f;
  // tanh(x) rounds to 1 above 9.01.
  static constexpr float kTanhSaturation = 10.0f;
  // tanh(x) = x + x^3 P(x^2) for |x| < 0.625 (mpmath.chebyfit on [0, 0.625^2]), lowest first.
  static constexpr float kTanhPoly[] = {-0.33333328f, 0.13332768f, -0.053850595f, 0.020995695f,
                                        -0.006094555f};
  // expm1(r) = r + r^2 P(r), lowest degree first.
  static constexpr float kExpm1Poly[] = {0.5f,          0.16666667f,   0.041666463f,
                                         0.0083333105f, 0.0013933731f, 0.0001989108f};
  // fdlibm's ln 2 split for log (FreeBSD e_logf.c) and its R(z) coefficients.
  static constexpr float kLogLn2Hi = 6.9313812256e-01f, kLogLn2Lo = 9.0580006145e-06f;
  static constexpr float kLogPoly[] = {0xaaaaaa.0p-24f, 0xccce13.0p-25f, 0x91e9ee.0p-25f,
                                       0xf89e26.0p-26f};
  static constexpr Bits kSqrtHalfBits = 0x3f3504f3;  // sqrt(1/2) rounded
};

template <>
struct Traits<double> {
  using Bits = uint64_t;
  static constexpr int kMantissaBits = 52;
  static constexpr Bits kExponentBias = 1023;
  static constexpr double kRoundShifter = 0x1.8p52;
  static constexpr double kLog2e = 0x1.71547652b82fep+0;
  static constexpr double kLn2Hi = 0x1.62e42fee00000p-1;  // fdlibm: the low 21 bits are zero
  static constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  static constexpr double kExpMin = -746.0, kExpMax = 710.0, kExpm1Min = -60.0;
  static constexpr double kTiny = 0x1p-54;
  static constexpr double kTanhSaturation = 22.0;  // tanh(x) rounds to 1 above 19.06
  static constexpr double kTanhPoly[] = {
      -0.3333333333333333,     0.1333333333333304,    -0.05396825396789371,   0.02186948851886792,
      -0.008863235100174033,   0.0035921217122266407, -0.0014557751050964238, 0.0005896591083635056,
      -0.00023758563980884253, 9.256112886604006e-05, -3.118977434431334e-05, 6.47965258390946e-06};
  static constexpr double kExpm1Poly[] = {0.5,
                                          0.1666666666666667,
                                          0.04166666666666667,
                                          0.008333333333326084,
                                          0.0013888888888883711,
                                          0.0001984126987500228,
                                          2.480158732567746e-05,
                                          2.755725517000089e-06,
                                          2.755727347871858e-07,
                                          2.5105312729622103e-08,
                                          2.09147553258932e-09};
  // fdlibm e_log.c: ln 2 split and Lg1..Lg7.
  static constexpr double kLogLn2Hi = 6.93147180369123816490e-01;
  static constexpr double kLogLn2Lo = 1.90821492927058770002e-10;
  static constexpr double kLogPoly[] = {6.666666666666735130e-01, 3.999999999940941908e-01,
                                        2.857142874366239149e-01, 2.222219843214978396e-01,
                                        1.818357216161805012e-01, 1.531383769920937332e-01,
                                        1.479819860511658591e-01};
  static constexpr Bits kSqrtHalfBits = 0x3fe6a09e667f3bcd;
};

// a * b + c, fused where the hardware has FMA (one rounding, and a vector instruction); elsewhere
// std::fma would be a slow library call, so the plain expression is used.
template <typename T>
inline T mul_add(T a, T b, T c) {
#if defined(__FMA__)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// c[i] + x c[i + 1] + x^2 c[i + 2] + ... by Horner's rule, written as a recursion rather than a
// loop: a loop left rolled inside a larger function makes a loop nest the vectoriser refuses.
template <size_t I = 0, typename T, size_t N>
inline T polynomial(T x, const T (&c)[N]) {
  if constexpr (I + 1 == N) {
    return c[I];
  } else {
    return mul_add(polynomial<I + 1>(x, c), x, c[I]);
  }
}

// take_a ? a : b through bit masks. GCC if-converts a `?:` on floats only sometimes (with
// -ftrapping-math, the default, it may not move a comparison that can trap out of its condition),
// and one that stays a branch stops the whole loop from vectorising; a mask always vectorises.
template <typename T>
inline T select(bool take_a, T a, T b) {
  using Bits = typename Traits<T>::Bits;
  const Bits mask = Bits(0) - Bits(take_a);
  return std::bit_cast<T>((std::bit_cast<Bits>(a) & mask) | (std::bit_cast<Bits>(b) & ~mask));
}

// x limited to [low, high]; NaN stays NaN (both comparisons are false for it).
template <typename T>
inline T clamp_keep_nan(T x, T low, T high) {
  x = select(x < low, low, x);
  return select(x > high, high, x);
}

// 2^n for an integer-valued n in the normal exponent range, built in the exponent bits. n + the
// round shifter holds n in its low mantissa bits; the shifter's own bits fall off the left shift.
template <typename T>
inline T pow2(T n) {
  using C = Traits<T>;
  using Bits = typename C::Bits;
  const Bits bits = std::bit_cast<Bits>(n + C::kRoundShifter) + C::kExponentBias;
  return std::bit_cast<T>(Bits(bits << C::kMantissaBits));
}

// x = n ln2 + r with n an integer (held in a T) and |r| <= ln2/2 (a hair more from rounding).
// x - n kLn2Hi is exact (n kLn2Hi has few bits, and the difference is a multiple of x's last place
// below 1/2); r is then rounded once, and its rounding error r_low is kept: left out, it alone
// costs up to half an ulp of the result.
template <typename T>
struct ExpReduction {
  T n, r, r_low;
};

template <typename T>
inline ExpReduction<T> reduce_exp(T x) {
  using C = Traits<T>;
  const T n = mul_add(x, C::kLog2e, C::kRoundShifter) - C::kRoundShifter;
  const T t = mul_add(-n, C::kLn2Hi, x);
  const T r = mul_add(-n, C::kLn2Lo, t);
  return {n, r, mul_add(-n, C::kLn2Lo, t - r)};
}

// expm1(r + r_low) for |r| <= ln2/2 and tiny r_low: r + r^2 P(r) keeps full relative accuracy as
// r goes to 0, and e^(r + r_low) - 1 = r + r^2 P(r) + r_low (1 + r) to first order in r_low. The
// small terms are summed first, so r, exact, is added last with a single rounding.
template <typename T>
inline T expm1_reduced(T r, T r_low) {
  const T small = mul_add(r * r, polynomial(r, Traits<T>::kExpm1Poly), r_low);
  return r + mul_add(r_low, r, small);
}

// x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), for positive normal x. Subtracting
// sqrt(1/2)'s bits moves the cut between exponents from 1 to sqrt(1/2); k is read from the
// exponent field of the shifted bits and converted to T through the mantissa of 2^mantissa_bits
// (no integer-to-float conversion: AVX2 has none for 64-bit integers).
template <typename T>
struct LogReduction {
  T f, k;
};

template <typename T>
inline LogReduction<T> reduce_log(T x) {
  using C = Traits<T>;
  using Bits = typename C::Bits;
  constexpr Bits kMantissaMask = (Bits(1) << C::kMantissaBits) - 1;
  constexpr Bits kOneBits = C::kExponentBias << C::kMantissaBits;
  constexpr T kTwoToMantissa = T(Bits(1) << C::kMantissaBits);
  const Bits bits = std::bit_cast<Bits>(x);
  const Bits exponent = (bits + (kOneBits - C::kSqrtHalfBits)) >> C::kMantissaBits;
  const T k = std::bit_cast<T>(exponent | std::bit_cast<Bits>(kTwoToMantissa)) -
              (kTwoToMantissa + T(C::kExponentBias));
  const T m = std::bit_cast<T>(((bits - C::kSqrtHalfBits) & kMantissaMask) + C::kSqrtHalfBits);
  return {m - T(1), k};
}

// log(1 + f) + k ln2 + c for f in [sqrt(1/2) - 1, sqrt(2) - 1]; c is a small correction term
// (log1p's rounding error of 1 + x), added at the low-order end as fdlibm does.
template <typename T>
inline T log_reduced(T f, T k, T c) {
  using C = Traits<T>;
  const T s = f / (T(2) + f);
  const T z = s * s;
  const T r = z * polynomial(z, C::kLogPoly);
  const T half_f_squared = T(0.5) * f * f;
  const T low = mul_add(s, half_f_squared + r, mul_add(k, C::kLogLn2Lo, c));
  return mul_add(k, C::kLogLn2Hi, f - (half_f_squared - low));
}

}  // namespace detail

template <typename T>
inline T exp(T x) {
  using C = detail::Traits<T>;
  const auto [n, r, r_low] = detail::reduce_exp(detail::clamp_keep_nan(x, C::kExpMin, C::kExpMax));
  // 2^n in two factors: n reaches 128 (float) where the result still rounds below the overflow
  // threshold, and -150 where it is subnormal; each factor is a normal number. s1 (1 + q) is
  // rounded once by the fused multiply-add (not once for 1 + q and again for the product), and
  // the second factor is exact unless the result is subnormal.
  const T n1 = (T(0.5) * n + C::kRoundShifter) - C::kRoundShifter;
  const T s1 = detail::pow2(n1);
  return detail::mul_add(s1, detail::expm1_reduced(r, r_low), s1) * detail::pow2(n - n1);
}

template <typename T>
inline T expm1(T x) {
  using C = detail::Traits<T>;
  const auto [n, r, r_low] =
      detail::reduce_exp(detail::clamp_keep_nan(x, C::kExpm1Min, C::kExpMax));
  const T q = detail::expm1_reduced(r, r_low);
  // 2^n q + (2^n - 1), computed at half scale so that n = 128 (float) still has a 2^(n-1); the
  // doubling is exact, or overflows to inf exactly when the result does.
  const T half_scale = detail::pow2(n - T(1));
  const T result = T(2) * detail::mul_add(half_scale, q, half_scale - T(0.5));
  return detail::select(std::abs(x) < C::kTiny, x, result);
}

template <typename T>
inline T log(T x) {
  using C = detail::Traits<T>;
  constexpr T kInf = std::numeric_limits<T>::infinity();
  // Subnormals: scale into the normal range first, and take the scale back off k.
  const bool subnormal = x < std::numeric_limits<T>::min();
  const T scaled = detail::select(subnormal, x * T(typename C::Bits(1) << C::kMantissaBits), x);
  auto [f, k] = detail::reduce_log(scaled);
  k = detail::select(subnormal, k - T(C::kMantissaBits), k);
  T result = detail::log_reduced(f, k, T(0));
  result = detail::select(x == kInf, kInf, result);
  result = detail::select(x == T(0), -kInf, result);
  return detail::select(!(x >= T(0)), std::numeric_limits<T>::quiet_NaN(), result);  // < 0 or NaN
}

template <typename T>
inline T log1p(T x) {
  using C = detail::Traits<T>;
  constexpr T kInf = std::numeric_limits<T>::infinity();
  const T u = T(1) + x;
  // The exact rounding error of 1 + x (Fast2Sum, larger operand first): log(1 + x) =
  // log(u) + log(1 + c/u) ~ log(u) + c/u.
  const T c = detail::select(x > T(1), T(1) - (u - x), x - (u - T(1)));
  auto [f, k] = detail::reduce_log(u);
  T correction = c / u;
  // When 1 + x is already in [sqrt(1/2), sqrt(2)), f is x itself, exactly.
  // (& rather than &&: a short circuit is a branch.)
  const bool near_zero = (x > T(-0.2928932188134524)) & (x < T(0.4142135623730951));
  f = detail::select(near_zero, x, f);
  k = detail::select(near_zero, T(0), k);
  correction = detail::select(near_zero, T(0), correction);
  T result = detail::log_reduced(f, k, correction);
  result = detail::select(std::abs(x) < C::kTiny, x, result);  // keeps -0 and subnormals
  result = detail::select(x == kInf, kInf, result);
  result = detail::select(x == T(-1), -kInf, result);
  return detail::select(!(x >= T(-1)), std::numeric_limits<T>::quiet_NaN(), result);
}

// tanh |x| = expm1(2|x|) / (expm1(2|x|) + 2), with the saturation clamp keeping inf / inf out.
// Below 0.625 an odd polynomial is more accurate (the quotient's three roundings cost up to 2.3
// ulp there, the polynomial 1).
template <typename T>
inline T tanh(T x) {
  using C = detail::Traits<T>;
  const T a = std::abs(x);
  const T e =
      vector_math::expm1(T(2) * detail::select(a > C::kTanhSaturation, C::kTanhSaturation, a));
  const T large = e / (e + T(2));
  const T z = a * a;
  const T small = detail::mul_add(a * z, detail::polynomial(z, C::kTanhPoly), a);
  return std::copysign(detail::select(a < T(0.625), small, large), x);
}

// 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below: exp only ever of -|x|, so nothing overflows
// (sigmoid(-1000) = 0, sigmoid(1000) = 1).
template <typename T>
inline T sigmoid(T x) {
  const T e = vector_math::exp(-std::abs(x));
  const bool nonnegative = x >= T(0);
  // 1 + e rounds; its exact error d_low is taken back to first order: num / (d + d_low) =
  // q (1 - d_low / d), and 1 / d is q (x >= 0) or 1 - q (x < 0).
  const T d = T(1) + e;
  const T d_low = e - (d - T(1));
  const T q = detail::select(nonnegative, T(1), e) / d;
  const T inverse_d = detail::select(nonnegative, q, T(1) - q);
  return detail::mul_add(-q * inverse_d, d_low, q);
}

// log(1 + e^-a) for a >= 0 (or NaN): the term softplus and BCE with logits add to max(x, 0), with
// a = |x|. e^-a is in [0, 1], so log1p's special cases cannot occur and 1 + e^-a is in [1, 2]:
// below sqrt(2), f = e^-a exactly; above, 1 + e^-a = 2 (1 + f) with f = (1 + e^-a) / 2 - 1 exact,
// and the rounding error of 1 + e^-a is carried as in log1p, divided by 1 + e^-a through a short
// series (1/(2 (1 + f)) to 2.5%, plenty for a term below half an ulp). One division instead of
// log1p's two, and no special-value selects: softplus runs about 1.4x faster than with log1p.
template <typename T>
inline T log1p_exp_minus(T a) {
  const T e = vector_math::exp(-a);
  const T u = T(1) + e;
  const bool above_sqrt2 = u >= T(1.4142135623730951);
  const T f = detail::select(above_sqrt2, T(0.5) * u - T(1), e);
  const T rounding_error = e - (u - T(1));
  const T inverse_u = T(0.5) * (T(1) + f * (f - T(1)));
  const T correction = detail::select(above_sqrt2, rounding_error * inverse_u, T(0));
  return detail::log_reduced(f, detail::select(above_sqrt2, T(1), T(0)), correction);
}

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never exp of a positive number.
template <typename T>
inline T softplus(T x) {
  return detail::select(x > T(0), x, T(0)) + log1p_exp_minus(std::abs(x));
}

}  // namespace minidl::vector_math
