// The operators + - * / written once for every value type that opts in (Tensor and Variable), so
// `a * b + 1.0` means the same calls on both. A type opts in by specialising
// kHasArithmeticOperators<T> to true beside the named functions the operators call: neg(x);
// add, sub, mul, div with a second operand of the same type or a double; and rsub(x, s) = s - x,
// rdiv(x, s) = s / x. The operators are found by argument-dependent lookup like any function in
// namespace minidl; since they are templates they never convert their operands implicitly.
#pragma once

namespace minidl {

template <class T>
inline constexpr bool kHasArithmeticOperators = false;

template <class T>
concept ArithmeticOperand = kHasArithmeticOperators<T>;

template <ArithmeticOperand T>
T operator-(const T& x) {
  return neg(x);
}
template <ArithmeticOperand T>
T operator+(const T& a, const T& b) {
  return add(a, b);
}
template <ArithmeticOperand T>
T operator-(const T& a, const T& b) {
  return sub(a, b);
}
template <ArithmeticOperand T>
T operator*(const T& a, const T& b) {
  return mul(a, b);
}
template <ArithmeticOperand T>
T operator/(const T& a, const T& b) {
  return div(a, b);
}
template <ArithmeticOperand T>
T operator+(const T& a, double b) {
  return add(a, b);
}
template <ArithmeticOperand T>
T operator-(const T& a, double b) {
  return sub(a, b);
}
template <ArithmeticOperand T>
T operator*(const T& a, double b) {
  return mul(a, b);
}
template <ArithmeticOperand T>
T operator/(const T& a, double b) {
  return div(a, b);
}
template <ArithmeticOperand T>
T operator+(double a, const T& b) {
  return add(b, a);
}
template <ArithmeticOperand T>
T operator-(double a, const T& b) {
  return rsub(b, a);
}
template <ArithmeticOperand T>
T operator*(double a, const T& b) {
  return mul(b, a);
}
template <ArithmeticOperand T>
T operator/(double a, const T& b) {
  return rdiv(b, a);
}

}  // namespace minidl
