// A contiguous range along one axis: y = x[..., start : start + length, ...].
#pragma once

#include <cstring>

#include "core/tape.h"

namespace eaf {

// x viewed as [outer, n, inner]; y as [outer, length, inner].
template <class T>
void slice_forward(T* y, const T* x, int64_t outer, int64_t n, int64_t inner, int64_t start,
                   int64_t length) {
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(y + o * length * inner, x + (o * n + start) * inner, sizeof(T) * length * inner);
}
// y copies a block of x: dx[o, start + l, i] += dy[o, l, i]; the rest of dx is untouched.
template <class T>
void slice_backward(T* dx, const T* dy, int64_t outer, int64_t n, int64_t inner, int64_t start,
                    int64_t length) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < length * inner; ++k)
      dx[(o * n + start) * inner + k] += dy[o * length * inner + k];
}

Var slice(Tape& t, Var x, int axis, int64_t start, int64_t length);

}  // namespace eaf
