// DimVector: the vector of int64 that holds a tensor's shape or strides, with room for six
// dimensions inside the object itself. A std::vector<int64_t> costs a heap allocation per copy,
// and every op made several (its result's shape and strides, the broadcast shape): a large part of
// the fixed cost of a small op (docs/benchmarks.md). Tensors of more than
// six dimensions spill to the heap and work the same.
//
// It has std::vector's interface (the parts minidl uses) and converts to and from
// std::vector<int64_t> implicitly, so code written for Shape = std::vector<int64_t> still compiles.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <vector>

namespace minidl {

class DimVector {
 public:
  using value_type = int64_t;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  using pointer = int64_t*;
  using const_pointer = const int64_t*;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  static constexpr size_t kInlineCapacity = 6;

  DimVector() = default;
  explicit DimVector(size_t count, int64_t value = 0) { assign(count, value); }
  DimVector(std::initializer_list<int64_t> values) { assign(values.begin(), values.end()); }
  template <std::input_iterator It>
  DimVector(It first, It last) {
    assign(first, last);
  }
  DimVector(const std::vector<int64_t>& values) {  // NOLINT: implicit, as Shape once was one
    assign(values.begin(), values.end());
  }
  DimVector(const DimVector& other) { copy_from(other); }
  DimVector(DimVector&& other) noexcept { take(other); }
  ~DimVector() { release(); }

  DimVector& operator=(const DimVector& other) {
    if (this != &other) copy_from(other);
    return *this;
  }
  DimVector& operator=(DimVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  DimVector& operator=(std::initializer_list<int64_t> values) {
    assign(values.begin(), values.end());
    return *this;
  }

  operator std::vector<int64_t>() const { return {begin(), end()}; }  // NOLINT: implicit

  // --- size and elements ---
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  int64_t* data() { return data_; }
  const int64_t* data() const { return data_; }
  int64_t& operator[](size_t i) { return data_[i]; }
  const int64_t& operator[](size_t i) const { return data_[i]; }
  int64_t& front() { return data_[0]; }
  const int64_t& front() const { return data_[0]; }
  int64_t& back() { return data_[size_ - 1]; }
  const int64_t& back() const { return data_[size_ - 1]; }

  iterator begin() { return data_; }
  iterator end() { return data_ + size_; }
  const_iterator begin() const { return data_; }
  const_iterator end() const { return data_ + size_; }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }
  reverse_iterator rbegin() { return reverse_iterator(end()); }
  reverse_iterator rend() { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

  // --- changing it ---
  void reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    int64_t* grown = new int64_t[capacity];
    std::copy(begin(), end(), grown);
    release();
    data_ = grown;
    capacity_ = uint32_t(capacity);
  }
  void clear() { size_ = 0; }
  void resize(size_t count, int64_t value = 0) {
    reserve(count);
    if (count > size_) std::fill(data_ + size_, data_ + count, value);
    size_ = uint32_t(count);
  }
  void assign(size_t count, int64_t value) {
    size_ = 0;
    resize(count, value);
  }
  template <std::input_iterator It>
  void assign(It first, It last) {
    size_ = 0;
    if constexpr (std::forward_iterator<It>) {
      const size_t count = size_t(std::distance(first, last));
      reserve(count);
      std::copy(first, last, data_);
      size_ = uint32_t(count);
    } else {
      for (; first != last; ++first) push_back(*first);
    }
  }
  void assign(std::initializer_list<int64_t> values) { assign(values.begin(), values.end()); }

  void push_back(int64_t value) {
    if (size_ == capacity_) reserve(2 * size_t(capacity_));
    data_[size_++] = value;
  }
  void emplace_back(int64_t value) { push_back(value); }
  void pop_back() { --size_; }

  iterator insert(const_iterator position, int64_t value) { return insert(position, 1, value); }
  iterator insert(const_iterator position, size_t count, int64_t value) {
    const size_t at = size_t(position - data_);
    open_gap(at, count);
    std::fill(data_ + at, data_ + at + count, value);
    return data_ + at;
  }
  template <std::forward_iterator It>
  iterator insert(const_iterator position, It first, It last) {
    const size_t at = size_t(position - data_);
    const size_t count = size_t(std::distance(first, last));
    // The source may be this vector's own elements: copy them out before moving anything.
    const DimVector values(first, last);
    open_gap(at, count);
    std::copy(values.begin(), values.end(), data_ + at);
    return data_ + at;
  }
  iterator insert(const_iterator position, std::initializer_list<int64_t> values) {
    return insert(position, values.begin(), values.end());
  }
  iterator erase(const_iterator position) { return erase(position, position + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const size_t at = size_t(first - data_), count = size_t(last - first);
    std::copy(data_ + at + count, data_ + size_, data_ + at);
    size_ -= uint32_t(count);
    return data_ + at;
  }

  // A plain loop: std::equal becomes a call to memcmp, which cost more than the comparison of a
  // few dimensions (an op compares shapes several times).
  friend bool operator==(const DimVector& a, const DimVector& b) {
    if (a.size_ != b.size_) return false;
    for (uint32_t i = 0; i < a.size_; ++i) {
      if (a.data_[i] != b.data_[i]) return false;
    }
    return true;
  }
  friend bool operator<(const DimVector& a, const DimVector& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // Makes room for `count` elements at index `at`, shifting the tail right.
  void open_gap(size_t at, size_t count) {
    if (size_ + count > capacity_) reserve(std::max<size_t>(size_ + count, 2 * size_t(capacity_)));
    std::copy_backward(data_ + at, data_ + size_, data_ + size_ + count);
    size_ += uint32_t(count);
  }
  // Copies other's elements. Up to six are copied as one fixed block of six (the slots past the
  // size included): a fixed-size copy is a few vector moves, where a copy of a variable count
  // becomes a call to memmove that costs more than the copy.
  void copy_from(const DimVector& other) {
    if (other.size_ <= kInlineCapacity && other.data_ == other.inline_) {
      std::copy(other.inline_, other.inline_ + kInlineCapacity, data_ == inline_ ? inline_ : data_);
      size_ = other.size_;
    } else {
      assign(other.begin(), other.end());
    }
  }
  // Moves other's elements here (stealing its heap block if it has one) and leaves it empty.
  void take(DimVector& other) noexcept {
    if (other.data_ == other.inline_) {
      std::copy(other.inline_, other.inline_ + kInlineCapacity, inline_);
      data_ = inline_;
      capacity_ = kInlineCapacity;
    } else {
      data_ = other.data_;
      capacity_ = other.capacity_;
      other.data_ = other.inline_;
      other.capacity_ = kInlineCapacity;
    }
    size_ = other.size_;
    other.size_ = 0;
  }
  void release() {
    if (data_ != inline_) delete[] data_;
    data_ = inline_;
    capacity_ = kInlineCapacity;
  }

  // 64 bytes in all: the pointer (to inline_ or a heap block), two 32-bit counts, six elements.
  int64_t* data_ = inline_;
  uint32_t size_ = 0;
  uint32_t capacity_ = kInlineCapacity;
  int64_t inline_[kInlineCapacity] = {};
};

}  // namespace minidl
