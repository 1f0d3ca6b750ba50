// The strided-loop engine behind every elementwise kernel (internal to tensor/).
//
// N operands that share one logical shape (inputs already broadcast by expand(), so a broadcast
// axis has stride 0) are walked in row-major order of that shape. Adjacent axes that are laid out
// contiguously in every operand are merged first, so a contiguous tensor of any rank becomes one
// flat run and the innermost loop the compiler vectorises is as long as possible. The body is
// called once per innermost run with byte pointers to each operand's first element, the run length
// and each operand's byte stride along the run.
//
// The contiguous runs carry `#pragma omp simd`: without it GCC leaves some bodies scalar (a
// select such as where()'s `c != 0 ? x : s` became a mispredicted branch per element, 50x slower
// than vectorised). Operands either coincide exactly (in-place ops) or do not overlap, so there is
// no dependence between iterations.
//
// Large loops are split into equal slices of the flat index range, one per thread, with a static
// schedule: every element is computed by exactly the same code whatever the thread count, so
// elementwise results are identical with 1 and N threads.
#pragma once

#include <omp.h>

#include <array>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "tensor/core.h"
#include "tensor/threading.h"

namespace minidl::detail {

// DimVectors hold up to six axes inline, so a layout allocates nothing for ordinary tensors.
template <size_t N>
struct LoopLayout {
  DimVector sizes;                   // outermost first, after merging
  std::array<DimVector, N> strides;  // byte strides per operand
  int64_t numel = 0;
};

// Builds the merged layout. `tensors[i]` must have shape `shape` (use expand() first).
template <size_t N>
LoopLayout<N> make_layout(const Shape& shape, const std::array<const Tensor*, N>& tensors) {
  LoopLayout<N> layout;
  layout.numel = shape_numel(shape);
  for (size_t axis = 0; axis < shape.size(); ++axis) {
    if (shape[axis] == 1) continue;  // size-1 axes contribute nothing to addressing
    bool merge = !layout.sizes.empty();
    for (size_t i = 0; i < N && merge; ++i) {
      int64_t stride = tensors[i]->strides()[axis] * int64_t(tensors[i]->element_size());
      merge = layout.strides[i].back() == stride * shape[axis];
    }
    if (merge) {
      layout.sizes.back() *= shape[axis];
      for (size_t i = 0; i < N; ++i) {
        layout.strides[i].back() =
            tensors[i]->strides()[axis] * int64_t(tensors[i]->element_size());
      }
    } else {
      layout.sizes.push_back(shape[axis]);
      for (size_t i = 0; i < N; ++i) {
        layout.strides[i].push_back(tensors[i]->strides()[axis] *
                                    int64_t(tensors[i]->element_size()));
      }
    }
  }
  if (layout.sizes.empty()) {  // 0-d or all-ones shape: a single element
    layout.sizes.push_back(1);
    for (size_t i = 0; i < N; ++i) layout.strides[i].push_back(0);
  }
  return layout;
}

// Walks flat indices [begin, end) of the layout, calling body(ptrs, run_length, inner_strides).
template <size_t N, typename Body>
void for_each_run_in_range(const LoopLayout<N>& layout, std::array<char*, N> base, int64_t begin,
                           int64_t end, Body& body) {
  const size_t ndim = layout.sizes.size();
  const int64_t inner = layout.sizes[ndim - 1];
  std::array<int64_t, N> inner_strides;
  for (size_t i = 0; i < N; ++i) inner_strides[i] = layout.strides[i][ndim - 1];

  // Multi-index of `begin` over the outer axes, and the pointers it addresses.
  DimVector index(ndim, 0);
  int64_t rest = begin;
  for (size_t axis = ndim; axis-- > 0;) {
    index[axis] = rest % layout.sizes[axis];
    rest /= layout.sizes[axis];
  }
  std::array<char*, N> ptrs = base;
  for (size_t axis = 0; axis < ndim; ++axis) {
    for (size_t i = 0; i < N; ++i) ptrs[i] += index[axis] * layout.strides[i][axis];
  }

  int64_t position = begin;
  while (position < end) {
    int64_t run = std::min(inner - index[ndim - 1], end - position);
    body(ptrs, run, inner_strides);
    position += run;
    if (position >= end) break;
    // Advance to the start of the next run: carry through the outer axes.
    for (size_t i = 0; i < N; ++i) ptrs[i] -= index[ndim - 1] * inner_strides[i];
    index[ndim - 1] = 0;
    for (size_t axis = ndim - 1; axis-- > 0;) {
      for (size_t i = 0; i < N; ++i) ptrs[i] += layout.strides[i][axis];
      if (++index[axis] < layout.sizes[axis]) break;
      for (size_t i = 0; i < N; ++i) ptrs[i] -= layout.sizes[axis] * layout.strides[i][axis];
      index[axis] = 0;
    }
  }
}

// Calls body(begin, end) on [0, total): at once below the grain, else on equal slices, one per
// thread (static, so every element is computed the same way whatever the thread count).
template <typename Body>
void for_each_slice(int64_t total, Body body) {
  if (total == 0) return;
  if (!should_parallelize(total)) {
    body(int64_t(0), total);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t thread = omp_get_thread_num();
    // Slices rounded to 16 elements keep each thread's stores on whole cache lines.
    const int64_t slice = ((total + threads - 1) / threads + 15) / 16 * 16;
    const int64_t begin = std::min(total, thread * slice);
    const int64_t end = std::min(total, begin + slice);
    if (begin < end) body(begin, end);
  }
}

// Runs body over every element of the layout, in parallel above the grain size.
template <size_t N, typename Body>
void for_each_run(const LoopLayout<N>& layout, std::array<char*, N> base, Body body) {
  for_each_slice(layout.numel, [&](int64_t begin, int64_t end) {
    for_each_run_in_range(layout, base, begin, end, body);
  });
}

// The common case of operands that all share out's shape and are contiguous: one flat index
// addresses every operand, so the loop skips the layout (and its small allocations, which cost
// more than the arithmetic on a 4K-element tensor).
template <typename... Tensors>
bool all_contiguous(const Tensors&... tensors) {
  return (tensors.is_contiguous() && ...);
}

// `tensor` seen with `shape`: an expand() view only when the shapes differ, so the common call on
// operands of one shape copies no handle (copying one allocates its shape and strides).
class Broadcast {
 public:
  Broadcast(const Tensor& tensor, const Shape& shape)
      : expanded_(tensor.shape() == shape ? Tensor() : tensor.expand(shape)),
        view_(expanded_.defined() ? expanded_ : tensor) {}
  Broadcast(const Broadcast&) = delete;
  Broadcast& operator=(const Broadcast&) = delete;
  const Tensor& operator*() const { return view_; }

 private:
  Tensor expanded_;
  const Tensor& view_;
};

// take_a ? a : b without a branch, for kernels that select per element (where, masks): the
// compiler vectorises bitwise blends, while a conditional on float data stays a branch that
// mispredicts on every other element of random data.
template <typename T>
inline T blend(bool take_a, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    const Bits mask = Bits(0) - Bits(take_a);
    return std::bit_cast<T>((std::bit_cast<Bits>(a) & mask) | (std::bit_cast<Bits>(b) & ~mask));
  } else {
    return take_a ? a : b;
  }
}

// True when writing `destination` elementwise while reading `source` could read values already
// overwritten: they share storage and are not the very same view (same view is fine, element i
// is read before it is written). Callers then read from a copy of the source.
inline bool may_overlap(const Tensor& destination, const Tensor& source) {
  return destination.shares_storage_with(source) &&
         !(destination.offset() == source.offset() && destination.strides() == source.strides() &&
           destination.shape() == source.shape());
}

inline char* byte_pointer(const Tensor& t) { return static_cast<char*>(t.raw_data()); }

// Applies out[i] = fn(in[i]) elementwise; `in` must already have out's shape.
template <typename Out, typename In, typename Fn>
void unary_loop(const Tensor& out, const Tensor& in, Fn fn) {
  if (all_contiguous(out, in)) {
    Out* o = static_cast<Out*>(out.raw_data());
    const In* a = static_cast<const In*>(in.raw_data());
    for_each_slice(out.numel(), [&](int64_t begin, int64_t end) {
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) o[i] = fn(a[i]);
    });
    return;
  }
  auto layout = make_layout<2>(out.shape(), {&out, &in});
  for_each_run(layout, {byte_pointer(out), byte_pointer(in)},
               [&](std::array<char*, 2> p, int64_t n, std::array<int64_t, 2> s) {
                 Out* o = reinterpret_cast<Out*>(p[0]);
                 const In* a = reinterpret_cast<const In*>(p[1]);
                 if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
#pragma omp simd
                   for (int64_t i = 0; i < n; ++i) o[i] = fn(a[i]);
                 } else if (s[0] == sizeof(Out) && s[1] == 0) {
                   const Out value = fn(a[0]);
                   for (int64_t i = 0; i < n; ++i) o[i] = value;
                 } else {
                   const int64_t so = s[0] / int64_t(sizeof(Out)), sa = s[1] / int64_t(sizeof(In));
                   for (int64_t i = 0; i < n; ++i) o[i * so] = fn(a[i * sa]);
                 }
               });
}

// Applies out[i] = fn(a[i], b[i]); a and b must already have out's shape (expanded views).
template <typename Out, typename A, typename B, typename Fn>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, Fn fn) {
  if (all_contiguous(out, a, b)) {
    Out* o = static_cast<Out*>(out.raw_data());
    const A* x = static_cast<const A*>(a.raw_data());
    const B* y = static_cast<const B*>(b.raw_data());
    for_each_slice(out.numel(), [&](int64_t begin, int64_t end) {
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) o[i] = fn(x[i], y[i]);
    });
    return;
  }
  auto layout = make_layout<3>(out.shape(), {&out, &a, &b});
  for_each_run(layout, {byte_pointer(out), byte_pointer(a), byte_pointer(b)},
               [&](std::array<char*, 3> p, int64_t n, std::array<int64_t, 3> s) {
                 Out* o = reinterpret_cast<Out*>(p[0]);
                 const A* x = reinterpret_cast<const A*>(p[1]);
                 const B* y = reinterpret_cast<const B*>(p[2]);
                 // The three common runs get their own loops so the compiler vectorises them.
                 if (s[0] == sizeof(Out) && s[1] == sizeof(A) && s[2] == sizeof(B)) {
#pragma omp simd
                   for (int64_t i = 0; i < n; ++i) o[i] = fn(x[i], y[i]);
                 } else if (s[0] == sizeof(Out) && s[1] == sizeof(A) && s[2] == 0) {
                   const B yv = *y;
#pragma omp simd
                   for (int64_t i = 0; i < n; ++i) o[i] = fn(x[i], yv);
                 } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == sizeof(B)) {
                   const A xv = *x;
#pragma omp simd
                   for (int64_t i = 0; i < n; ++i) o[i] = fn(xv, y[i]);
                 } else {
                   const int64_t so = s[0] / int64_t(sizeof(Out)), sx = s[1] / int64_t(sizeof(A)),
                                 sy = s[2] / int64_t(sizeof(B));
                   for (int64_t i = 0; i < n; ++i) o[i * so] = fn(x[i * sx], y[i * sy]);
                 }
               });
}

// out[i] = fn(c[i], a[i], b[i]) for where(); all operands already have out's shape.
template <typename Out, typename C, typename Fn>
void ternary_loop(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b, Fn fn) {
  if (all_contiguous(out, c, a, b)) {
    Out* o = static_cast<Out*>(out.raw_data());
    const C* cp = static_cast<const C*>(c.raw_data());
    const Out* ap = static_cast<const Out*>(a.raw_data());
    const Out* bp = static_cast<const Out*>(b.raw_data());
    for_each_slice(out.numel(), [&](int64_t begin, int64_t end) {
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) o[i] = fn(cp[i], ap[i], bp[i]);
    });
    return;
  }
  auto layout = make_layout<4>(out.shape(), {&out, &c, &a, &b});
  for_each_run(layout, {byte_pointer(out), byte_pointer(c), byte_pointer(a), byte_pointer(b)},
               [&](std::array<char*, 4> p, int64_t n, std::array<int64_t, 4> s) {
                 Out* o = reinterpret_cast<Out*>(p[0]);
                 const C* cp = reinterpret_cast<const C*>(p[1]);
                 const Out* ap = reinterpret_cast<const Out*>(p[2]);
                 const Out* bp = reinterpret_cast<const Out*>(p[3]);
                 const int64_t so = s[0] / int64_t(sizeof(Out)), sc = s[1] / int64_t(sizeof(C)),
                               sa = s[2] / int64_t(sizeof(Out)), sb = s[3] / int64_t(sizeof(Out));
                 if (so == 1 && sc == 1 && sa == 1 && sb == 1) {
#pragma omp simd
                   for (int64_t i = 0; i < n; ++i) o[i] = fn(cp[i], ap[i], bp[i]);
                 } else {
                   for (int64_t i = 0; i < n; ++i)
                     o[i * so] = fn(cp[i * sc], ap[i * sa], bp[i * sb]);
                 }
               });
}

}  // namespace minidl::detail
