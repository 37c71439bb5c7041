// Point-wise activations: GELU (exact erf form, PyTorch's default), ReLU, ELU, sigmoid.
#pragma once

#include <cmath>

#include "core/simd_math.h"
#include "core/tape.h"

namespace eaf {

// gelu(x) = x·Φ(x),  Φ(x) = ½(1 + erf(x/√2))
template <class T>
void gelu_forward(T* y, const T* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k) y[k] = T(0.5) * x[k] * (T(1) + std::erf(x[k] * T(M_SQRT1_2)));
}
// gelu'(x) = Φ(x) + x·φ(x),  φ(x) = exp(−x²/2)/√(2π):  dx += dy·(Φ + x·φ)
template <class T>
void gelu_backward(T* dx, const T* dy, const T* x, int64_t n) {
  const T inv_sqrt_2pi = T(0.3989422804014327);
#pragma omp parallel for simd schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k) {
    const T cdf = T(0.5) * (T(1) + std::erf(x[k] * T(M_SQRT1_2)));
    const T pdf = inv_sqrt_2pi * std::exp(T(-0.5) * x[k] * x[k]);
    dx[k] += dy[k] * (cdf + x[k] * pdf);
  }
}

// relu(x) = max(x, 0)
template <class T>
void relu_forward(T* y, const T* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) y[k] = x[k] > T(0) ? x[k] : T(0);
}
// relu'(x) = [x > 0] (0 at the kink, as PyTorch):  dx += dy·[x > 0]
template <class T>
void relu_backward(T* dx, const T* dy, const T* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) dx[k] += x[k] > T(0) ? dy[k] : T(0);
}

// elu(x) = x for x > 0, α(eˣ − 1) otherwise
template <class T>
void elu_forward(T* y, const T* x, T alpha, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k) y[k] = x[k] > T(0) ? x[k] : alpha * std::expm1(x[k]);
}
// elu'(x) = 1 for x > 0, α·eˣ otherwise:  dx += dy·elu'(x)
template <class T>
void elu_backward(T* dx, const T* dy, const T* x, T alpha, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k) dx[k] += dy[k] * (x[k] > T(0) ? T(1) : alpha * std::exp(x[k]));
}

// σ(x) = 1/(1 + e⁻ˣ), evaluated without overflow for large |x|
template <class T>
void sigmoid_forward(T* y, const T* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 16384)
  for (int64_t k = 0; k < n; ++k) {
    if (x[k] >= T(0)) {
      y[k] = T(1) / (T(1) + std::exp(-x[k]));
    } else {
      const T e = std::exp(x[k]);
      y[k] = e / (T(1) + e);
    }
  }
}
// σ' = σ(1 − σ), from the saved output y:  dx += dy·y·(1 − y)
template <class T>
void sigmoid_backward(T* dx, const T* dy, const T* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t k = 0; k < n; ++k) dx[k] += dy[k] * y[k] * (T(1) - y[k]);
}

Var gelu(Tape& t, Var x);
Var relu(Tape& t, Var x);
Var elu(Tape& t, Var x, float alpha = 1.0f);
Var sigmoid(Tape& t, Var x);

}  // namespace eaf
