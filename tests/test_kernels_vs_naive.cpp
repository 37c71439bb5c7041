// Every optimised float32 kernel against its plain-loop twin.
#include <catch2/catch.hpp>
#include <cmath>
#include <tuple>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"
#include "ops/activation.h"
#include "ops/conv1d.h"
#include "ops/linear.h"
#include "ops/matmul.h"

using namespace eaf;

namespace {
std::vector<float> random_floats(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.uniform(-1.0, 1.0));
  return v;
}

// Relative to the scale of the reference: float32 sums of K products lose ~K·ε.
void require_close(const std::vector<float>& got, const std::vector<float>& want,
                   double tol = 1e-5) {
  REQUIRE(got.size() == want.size());
  double scale = 1e-6, worst = 0;
  for (float w : want) scale = std::max(scale, static_cast<double>(std::abs(w)));
  for (size_t k = 0; k < got.size(); ++k)
    worst = std::max(worst, std::abs(double(got[k]) - want[k]) / scale);
  INFO("worst relative error " << worst);
  CHECK(worst <= tol);
}
}  // namespace

TEST_CASE("oneDNN gemm equals the naive gemm, strided and batched", "[kernels]") {
  const bool ta = GENERATE(false, true), tb = GENERATE(false, true), acc = GENERATE(false, true);
  const int64_t batch = GENERATE(1, 3);
  GemmDims d;
  d.M = 37, d.N = 19, d.K = 53, d.trans_a = ta, d.trans_b = tb, d.batch = batch, d.accumulate = acc;
  // Padded leading dimensions: the kernels must honour lda/ldb/ldc.
  d.lda = (ta ? d.M : d.K) + 3, d.ldb = (tb ? d.K : d.N) + 2, d.ldc = d.N + 5;
  const int64_t rows_a = ta ? d.K : d.M, rows_b = tb ? d.N : d.K;
  d.stride_a = rows_a * d.lda, d.stride_b = rows_b * d.ldb, d.stride_c = d.M * d.ldc;
  auto A = random_floats(batch * d.stride_a, 1), B = random_floats(batch * d.stride_b, 2);
  auto C = random_floats(batch * d.stride_c, 3), C_ref = C;
  gemm(d, A.data(), B.data(), C.data());
  gemm_naive(d, A.data(), B.data(), C_ref.data());
  require_close(C, C_ref);
}

TEST_CASE("gemm primitives are created once per shape", "[kernels]") {
  GemmDims d;
  d.M = 11, d.N = 13, d.K = 17;
  auto A = random_floats(11 * 17, 4), B = random_floats(17 * 13, 5);
  std::vector<float> C(11 * 13);
  gemm(d, A.data(), B.data(), C.data());
  const int64_t created = gemm_primitives_created();
  for (int i = 0; i < 5; ++i) gemm(d, A.data(), B.data(), C.data());
  CHECK(gemm_primitives_created() == created);
  d.M = 12;  // a new shape needs a new primitive
  std::vector<float> A2(12 * 17, 1.0f), C2(12 * 13);
  gemm(d, A2.data(), B.data(), C2.data());
  CHECK(gemm_primitives_created() == created + 1);
}

TEST_CASE("linear forward and backward equal the plain loops", "[kernels]") {
  // N = 1000 also sums the bias gradient in several row blocks, one with a partial tail.
  const auto [N, I, O] = GENERATE(std::tuple<int64_t, int64_t, int64_t>{67, 45, 29},
                                  std::tuple<int64_t, int64_t, int64_t>{1000, 45, 29});
  auto x = random_floats(N * I, 6), W = random_floats(O * I, 7), b = random_floats(O, 8);
  auto dy = random_floats(N * O, 9);
  std::vector<float> y(N * O), y_ref(N * O);
  linear_forward(y.data(), x.data(), W.data(), b.data(), N, I, O);
  linear_forward_naive(y_ref.data(), x.data(), W.data(), b.data(), N, I, O);
  require_close(y, y_ref);
  // Backward accumulates onto existing values in both versions.
  auto dx = random_floats(N * I, 10), dW = random_floats(O * I, 11), db = random_floats(O, 12);
  auto dx_ref = dx, dW_ref = dW, db_ref = db;
  linear_backward(dx.data(), dW.data(), db.data(), dy.data(), x.data(), W.data(), N, I, O);
  linear_backward_naive(dx_ref.data(), dW_ref.data(), db_ref.data(), dy.data(), x.data(), W.data(),
                        N, I, O);
  require_close(dx, dx_ref);
  require_close(dW, dW_ref);
  require_close(db, db_ref);
}

TEST_CASE("batched matmul backward equals the plain loops", "[kernels]") {
  const bool ta = GENERATE(false, true), tb = GENERATE(false, true);
  const MatmulDims m{4, 21, 15, 33, ta, tb};
  auto A = random_floats(4 * 21 * 33, 13), B = random_floats(4 * 33 * 15, 14),
       dC = random_floats(4 * 21 * 15, 15);
  std::vector<float> dA(A.size(), 0.0f), dB(B.size(), 0.0f);
  matmul_backward(dA.data(), dB.data(), dC.data(), A.data(), B.data(), m);
  // Reference: dA[b,m,k] = Σ_n dC[b,m,n]·op(B)[b,k,n] etc., written out directly.
  std::vector<float> dA_ref(A.size(), 0.0f), dB_ref(B.size(), 0.0f);
  for (int64_t b = 0; b < m.batch; ++b)
    for (int64_t i = 0; i < m.M; ++i)
      for (int64_t j = 0; j < m.N; ++j)
        for (int64_t k = 0; k < m.K; ++k) {
          const int64_t ai = b * m.M * m.K + (ta ? k * m.M + i : i * m.K + k);
          const int64_t bi = b * m.K * m.N + (tb ? j * m.K + k : k * m.N + j);
          const float g = dC[b * m.M * m.N + i * m.N + j];
          dA_ref[ai] += g * B[bi];
          dB_ref[bi] += g * A[ai];
        }
  require_close(dA, dA_ref);
  require_close(dB, dB_ref);
}

TEST_CASE("conv1d im2col path equals direct convolution", "[kernels]") {
  const int64_t K = GENERATE(1, 3, 5);
  const Conv1dDims d{3, 17, 7, 11, K};
  auto x = random_floats(d.B * d.L * d.Cin, 16), w = random_floats(d.Cout * d.Cin * K, 17);
  auto b = random_floats(d.Cout, 18), dy = random_floats(d.B * d.L * d.Cout, 19);
  std::vector<float> cols(d.B * d.L * d.Cin * K), dcols(cols.size());
  std::vector<float> y(d.B * d.L * d.Cout), y_ref(y.size());
  conv1d_forward(y.data(), cols.data(), x.data(), w.data(), b.data(), d);
  conv1d_forward_naive(y_ref.data(), x.data(), w.data(), b.data(), d);
  require_close(y, y_ref);
  std::vector<float> dx(x.size(), 0.0f), dw(w.size(), 0.0f), db(b.size(), 0.0f);
  auto dx_ref = dx, dw_ref = dw, db_ref = db;
  conv1d_backward(dx.data(), dw.data(), db.data(), dcols.data(), dy.data(), x.data(), cols.data(),
                  w.data(), d);
  conv1d_backward_naive(dx_ref.data(), dw_ref.data(), db_ref.data(), dy.data(), x.data(), w.data(),
                        d);
  require_close(dx, dx_ref);
  require_close(dw, dw_ref);
  require_close(db, db_ref);
}

TEST_CASE("vectorised float GELU equals the double-precision formula", "[kernels]") {
  // libmvec's erff/expf replace the scalar libm calls in the float kernels.
  const int64_t n = 40000;  // above the threads' threshold, not a multiple of the vector width
  std::vector<float> x(n), dy = random_floats(n, 31);
  for (int64_t k = 0; k < n; ++k) x[k] = -8.0f + 16.0f * float(k) / float(n - 1);
  std::vector<float> y(n), dx(n, 0.0f), y_ref(n), dx_ref(n);
  gelu_forward(y.data(), x.data(), n);
  gelu_backward(dx.data(), dy.data(), x.data(), n);
  for (int64_t k = 0; k < n; ++k) {
    const double xd = x[k];
    y_ref[k] = float(0.5 * xd * (1 + std::erf(xd / std::sqrt(2.0))));
    dx_ref[k] = float(dy[k] * (0.5 * (1 + std::erf(xd / std::sqrt(2.0))) +
                               xd * std::exp(-0.5 * xd * xd) / std::sqrt(2 * M_PI)));
  }
  require_close(y, y_ref, 1e-6);
  require_close(dx, dx_ref, 1e-6);
}
