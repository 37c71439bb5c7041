#include "core/gemm.h"

#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <tuple>
#include <unordered_map>

namespace eaf {

namespace {

using Key = std::tuple<int64_t, int64_t, int64_t, bool, bool, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, bool>;

struct Entry {
  dnnl::matmul prim;
  dnnl::memory a, b, c;
  std::unordered_map<int, dnnl::memory> args;
};

struct Backend {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<Key, Entry> cache;
  std::mutex mutex;
  int64_t created = 0;
};

Backend& backend() {
  static Backend b;
  return b;
}

// A strided view of a (batch ×) rows × cols matrix, transposed when `trans`.
dnnl::memory::desc matrix_desc(int64_t batch, int64_t rows, int64_t cols, bool trans, int64_t ld,
                               int64_t stride) {
  using dt = dnnl::memory::data_type;
  dnnl::memory::dims row_col_strides =
      trans ? dnnl::memory::dims{1, ld} : dnnl::memory::dims{ld, 1};
  if (batch == 1) return dnnl::memory::desc({rows, cols}, dt::f32, row_col_strides);
  return dnnl::memory::desc({batch, rows, cols}, dt::f32,
                            {stride, row_col_strides[0], row_col_strides[1]});
}

Entry make_entry(Backend& be, const GemmDims& d) {
  auto a_md = matrix_desc(d.batch, d.M, d.K, d.trans_a, d.lda, d.stride_a);
  auto b_md = matrix_desc(d.batch, d.K, d.N, d.trans_b, d.ldb, d.stride_b);
  auto c_md = matrix_desc(d.batch, d.M, d.N, false, d.ldc, d.stride_c);
  dnnl::primitive_attr attr;
  if (d.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
#if DNNL_VERSION_MAJOR >= 3
  dnnl::matmul::primitive_desc pd(be.engine, a_md, b_md, c_md, attr);
#else
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), attr, be.engine);
#endif
  Entry e;
  e.prim = dnnl::matmul(pd);
  e.a = dnnl::memory(a_md, be.engine, DNNL_MEMORY_NONE);
  e.b = dnnl::memory(b_md, be.engine, DNNL_MEMORY_NONE);
  e.c = dnnl::memory(c_md, be.engine, DNNL_MEMORY_NONE);
  e.args = {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.c}};
  ++be.created;
  return e;
}

}  // namespace

void gemm(const GemmDims& dims, const float* A, const float* B, float* C) {
  const GemmDims d = dims.resolved();
  if (d.M == 0 || d.N == 0 || d.batch == 0) return;
  if (d.K == 0) {  // empty sum: C = 0 (or unchanged when accumulating)
    if (!d.accumulate)
      for (int64_t b = 0; b < d.batch; ++b)
        for (int64_t m = 0; m < d.M; ++m)
          for (int64_t n = 0; n < d.N; ++n) C[b * d.stride_c + m * d.ldc + n] = 0.0f;
    return;
  }
  Backend& be = backend();
  std::lock_guard<std::mutex> lock(be.mutex);
  Key key{d.M,   d.N,     d.K,        d.trans_a,  d.trans_b,  d.lda,       d.ldb,
          d.ldc, d.batch, d.stride_a, d.stride_b, d.stride_c, d.accumulate};
  auto it = be.cache.find(key);
  if (it == be.cache.end()) it = be.cache.emplace(key, make_entry(be, d)).first;
  Entry& e = it->second;
  e.a.set_data_handle(const_cast<float*>(A));
  e.b.set_data_handle(const_cast<float*>(B));
  e.c.set_data_handle(C);
  e.prim.execute(be.stream, e.args);
  be.stream.wait();
}

int64_t gemm_primitives_created() {
  return backend().created;
}

}  // namespace eaf
