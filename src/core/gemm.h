// Matrix products: C[b] (+)= op(A[b]) · op(B[b]) for b in [0, batch).
//
// op(A) is M×K and op(B) is K×N, both row-major with leading dimensions lda / ldb;
// trans_a means A is stored K×M (lda ≥ M), likewise for B. float goes through a
// oneDNN matmul primitive, created once per distinct GemmDims and cached; double (the
// gradient tests) goes through the plain-loop gemm_naive, which is also the float
// kernel's test oracle.
#pragma once

#include <cstdint>

namespace eaf {

struct GemmDims {
  int64_t M = 0, N = 0, K = 0;
  bool trans_a = false, trans_b = false;
  int64_t lda = 0, ldb = 0, ldc = 0;  // 0 means "contiguous"
  int64_t batch = 1;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // 0 means "contiguous"
  bool accumulate = false;                           // C += ... instead of C = ...

  // Fills the 0 ("contiguous") leading dimensions and batch strides.
  GemmDims resolved() const {
    GemmDims d = *this;
    if (!d.lda) d.lda = d.trans_a ? d.M : d.K;
    if (!d.ldb) d.ldb = d.trans_b ? d.K : d.N;
    if (!d.ldc) d.ldc = d.N;
    if (!d.stride_a) d.stride_a = d.M * d.K;
    if (!d.stride_b) d.stride_b = d.K * d.N;
    if (!d.stride_c) d.stride_c = d.M * d.N;
    return d;
  }
};

template <class T>
void gemm_naive(const GemmDims& dims, const T* A, const T* B, T* C) {
  const GemmDims d = dims.resolved();
#pragma omp parallel for collapse(2) schedule(static) if (d.batch * d.M * d.N * d.K > 32768)
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t m = 0; m < d.M; ++m) {
      const T* a = A + b * d.stride_a;
      const T* bb = B + b * d.stride_b;
      T* c = C + b * d.stride_c + m * d.ldc;
      for (int64_t n = 0; n < d.N; ++n) {
        T acc = 0;
        for (int64_t k = 0; k < d.K; ++k) {
          T av = d.trans_a ? a[k * d.lda + m] : a[m * d.lda + k];
          T bv = d.trans_b ? bb[n * d.ldb + k] : bb[k * d.ldb + n];
          acc += av * bv;
        }
        c[n] = d.accumulate ? c[n] + acc : acc;
      }
    }
}

void gemm(const GemmDims& dims, const float* A, const float* B, float* C);
inline void gemm(const GemmDims& dims, const double* A, const double* B, double* C) {
  gemm_naive(dims, A, B, C);
}

// Number of oneDNN primitives created so far (each distinct shape creates one).
int64_t gemm_primitives_created();

}  // namespace eaf
