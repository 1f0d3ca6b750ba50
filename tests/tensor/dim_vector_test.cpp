// DimVector, the inline-capacity vector behind Shape and Strides: std::vector's behaviour with up
// to six elements inline and beyond them on the heap, conversions to and from std::vector, and
// tensors of more than six dimensions.
#include <sstream>
#include <vector>

#include "tests/tensor/tensor_test_util.h"

namespace minidl {
namespace {

std::vector<int64_t> as_vector(const DimVector& v) { return {v.begin(), v.end()}; }

// True when v's elements live inside the object itself (no heap block).
bool is_inline(const DimVector& v) {
  const char* object = reinterpret_cast<const char*>(&v);
  const char* elements = reinterpret_cast<const char*>(v.data());
  return elements >= object && elements < object + sizeof(DimVector);
}

TEST(DimVector, ConstructsLikeStdVector) {
  EXPECT_TRUE(DimVector().empty());
  EXPECT_EQ(as_vector(DimVector{4, 5, 6}), (std::vector<int64_t>{4, 5, 6}));
  EXPECT_EQ(as_vector(DimVector(3)), (std::vector<int64_t>{0, 0, 0}));  // a count, as vector
  EXPECT_EQ(as_vector(DimVector(2, 7)), (std::vector<int64_t>{7, 7}));
  EXPECT_EQ(as_vector(DimVector{3}), (std::vector<int64_t>{3}));  // braces: one element
  const std::vector<int64_t> source{1, 2, 3, 4};
  EXPECT_EQ(as_vector(DimVector(source.begin() + 1, source.end())),
            (std::vector<int64_t>{2, 3, 4}));
  const DimVector converted = source;  // implicit, as when Shape was std::vector<int64_t>
  EXPECT_EQ(as_vector(converted), source);
  const std::vector<int64_t> back = converted;
  EXPECT_EQ(back, source);
  EXPECT_TRUE(converted == source);
  EXPECT_TRUE(source == converted);
  EXPECT_TRUE((DimVector{1, 2} != DimVector{1, 2, 0}));
  EXPECT_TRUE((DimVector{1, 2} < DimVector{1, 3}));
}

TEST(DimVector, SixInlineThenTheHeap) {
  DimVector v;
  for (int64_t i = 0; i < 6; ++i) v.push_back(i);
  EXPECT_TRUE(is_inline(v));
  EXPECT_EQ(v.capacity(), DimVector::kInlineCapacity);
  v.push_back(6);
  EXPECT_FALSE(is_inline(v));
  for (int64_t i = 7; i < 64; ++i) v.push_back(i);  // safetensors allows 64 dimensions
  ASSERT_EQ(v.size(), 64u);
  for (int64_t i = 0; i < 64; ++i) EXPECT_EQ(v[size_t(i)], i);
  EXPECT_EQ(v.front(), 0);
  EXPECT_EQ(v.back(), 63);
  v.resize(3);
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{0, 1, 2}));
  v.resize(5, 9);
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{0, 1, 2, 9, 9}));
  v.pop_back();
  v.clear();
  EXPECT_TRUE(v.empty());
}

TEST(DimVector, CopiesAndMovesInlineAndHeapContents) {
  for (size_t n : {size_t(4), size_t(10)}) {
    SCOPED_TRACE(n);
    DimVector original;
    for (size_t i = 0; i < n; ++i) original.push_back(int64_t(10 * i));
    const std::vector<int64_t> expected = as_vector(original);

    DimVector copy = original;
    EXPECT_EQ(as_vector(copy), expected);
    copy[0] = -1;  // a deep copy: the original keeps its value
    EXPECT_EQ(original[0], 0);
    EXPECT_EQ(is_inline(copy), n <= DimVector::kInlineCapacity);

    DimVector assigned{1};
    assigned = original;
    EXPECT_EQ(as_vector(assigned), expected);

    DimVector moved = std::move(copy);
    EXPECT_EQ(moved[0], -1);
    EXPECT_EQ(moved.size(), n);
    EXPECT_EQ(is_inline(moved), n <= DimVector::kInlineCapacity);
    EXPECT_TRUE(copy.empty());  // NOLINT: a moved-from DimVector is empty and usable
    copy.push_back(5);
    EXPECT_EQ(as_vector(copy), (std::vector<int64_t>{5}));

    DimVector move_assigned{1, 2, 3, 4, 5, 6, 7};
    move_assigned = std::move(moved);
    EXPECT_EQ(move_assigned.size(), n);
    EXPECT_EQ(move_assigned[1], 10);
    DimVector& self = assigned;
    assigned = self;  // self-assignment keeps the values
    EXPECT_EQ(as_vector(assigned), expected);
  }
}

TEST(DimVector, InsertAndErase) {
  DimVector v{1, 2, 3};
  v.insert(v.begin() + 1, 9);
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{1, 9, 2, 3}));
  v.insert(v.end(), {7, 8});
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{1, 9, 2, 3, 7, 8}));
  v.insert(v.begin(), 2, 0);  // past the inline capacity
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{0, 0, 1, 9, 2, 3, 7, 8}));
  v.insert(v.begin() + 1, v.begin() + 2, v.begin() + 4);  // from its own elements
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{0, 1, 9, 0, 1, 9, 2, 3, 7, 8}));
  v.erase(v.begin());
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{1, 9, 0, 1, 9, 2, 3, 7, 8}));
  v.erase(v.begin() + 2, v.begin() + 5);
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{1, 9, 2, 3, 7, 8}));
  v.assign(2, 4);
  EXPECT_EQ(as_vector(v), (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(std::vector<int64_t>(v.rbegin(), v.rend()), (std::vector<int64_t>{4, 4}));
}

TEST(DimVector, PrintsAsAShape) {
  std::ostringstream os;
  os << Shape{64, 784};
  EXPECT_EQ(os.str(), "[64, 784]");
  EXPECT_EQ(shape_str(Shape{}), "[]");
}

TEST(DimVector, TensorsOfMoreThanSixDimensions) {
  // 8 axes: the shape and strides spill to the heap; views, broadcasting and reductions still work.
  Tensor x = arange(0, 256, 1, DType::Float64).reshape({2, 2, 2, 2, 2, 2, 2, 2});
  EXPECT_EQ(x.dim(), 8);
  EXPECT_EQ(x.stride(0), 128);
  Tensor t = x.transpose(0, 7);
  EXPECT_EQ(t.stride(0), 1);
  EXPECT_EQ(t.stride(7), 128);
  Tensor y = t + x.select(0, 1);  // broadcast a 7-d tensor against the 8-d view
  // Element [1, 0, ..., 0, 1] of t is x[1, 0, ..., 0, 1] = 129; of x.select(0, 1) at [0, ..., 1]
  // it is x[1, 0, ..., 0, 1] = 129 as well.
  EXPECT_EQ(y.contiguous().to_vector<double>()[129], 129.0 + 129.0);
  EXPECT_EQ(sum(x).item(), 255.0 * 256.0 / 2.0);
  EXPECT_EQ(x.squeeze().shape(), x.shape());
  EXPECT_EQ(x.unsqueeze(3).dim(), 9);
  EXPECT_EQ(x.flatten().shape(), (Shape{256}));
}

}  // namespace
}  // namespace minidl
