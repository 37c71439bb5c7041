// Shapes and tensor views.
//
// A Tensor is a non-owning, row-major, contiguous view: a pointer plus a shape.
// Who owns the memory is decided elsewhere: activations and their gradients live in
// an Arena (reset every step), parameters own their storage (Parameter below).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace eaf {

inline constexpr int kMaxRank = 5;

struct Shape {
  std::array<int64_t, kMaxRank> dims{};
  int rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d) {
    if (d.size() > kMaxRank) throw std::invalid_argument("Shape: rank > 5");
    for (int64_t x : d) dims[rank++] = x;
  }
  static Shape from(const std::vector<int64_t>& d) {
    Shape s;
    if (d.size() > kMaxRank) throw std::invalid_argument("Shape: rank > 5");
    for (int64_t x : d) s.dims[s.rank++] = x;
    return s;
  }

  int64_t operator[](int i) const { return dims[i < 0 ? rank + i : i]; }
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  // Product of all dims but the last: the "rows" a row-wise kernel iterates over.
  int64_t rows() const { return rank == 0 ? 1 : numel() / dims[rank - 1]; }
  int64_t last() const { return rank == 0 ? 1 : dims[rank - 1]; }

  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != o.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }

  std::string str() const {
    std::string s = "[";
    for (int i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
  }
};

template <class T>
struct TensorT {
  T* data = nullptr;
  Shape shape;

  int64_t numel() const { return shape.numel(); }
  bool empty() const { return data == nullptr; }
  TensorT reshaped(Shape s) const {
    if (s.numel() != shape.numel())
      throw std::invalid_argument("reshape " + shape.str() + " -> " + s.str());
    return {data, s};
  }
};

using Tensor = TensorT<float>;

// Throws with both shapes in the message; the op name says where it happened.
inline void check_shape(const char* op, const Shape& got, const Shape& want) {
  if (got != want)
    throw std::invalid_argument(std::string(op) + ": shape " + got.str() + ", expected " +
                                want.str());
}

}  // namespace eaf
