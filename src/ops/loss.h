// Losses, each reduced by the mean (PyTorch's default): cross-entropy from logits,
// mean squared error, mean absolute error.
#pragma once

#include <cmath>

#include "core/tape.h"

namespace eaf {

// logits: [N, C], labels: [N] in [0, C), probs: [N, C] (saved). Returns the mean loss.
//   loss = (1/N) Σ_n (logsumexp(z_n) − z_n[y_n])
template <class T>
T cross_entropy_forward(T* probs, const T* logits, const int32_t* labels, int64_t N, int64_t C) {
  T total = 0;
  for (int64_t n = 0; n < N; ++n) {
    const T* z = logits + n * C;
    T mx = z[0];
    for (int64_t c = 1; c < C; ++c) mx = z[c] > mx ? z[c] : mx;
    T sum = 0;
    for (int64_t c = 0; c < C; ++c) sum += std::exp(z[c] - mx);
    const T log_sum = std::log(sum) + mx;
    for (int64_t c = 0; c < C; ++c) probs[n * C + c] = std::exp(z[c] - log_sum);
    total += log_sum - z[labels[n]];
  }
  return total / static_cast<T>(N);
}
// ∂loss/∂z_nc = (softmax(z_n)_c − [c = y_n]) / N:  dz += dloss·(p − onehot)/N
template <class T>
void cross_entropy_backward(T* dlogits, T dloss, const T* probs, const int32_t* labels, int64_t N,
                            int64_t C) {
  const T s = dloss / static_cast<T>(N);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      dlogits[n * C + c] += s * (probs[n * C + c] - (c == labels[n] ? T(1) : T(0)));
}

// loss = (1/n) Σ (p − y)²
template <class T>
T mse_forward(const T* pred, const T* target, int64_t n) {
  T total = 0;
  for (int64_t k = 0; k < n; ++k) total += (pred[k] - target[k]) * (pred[k] - target[k]);
  return total / static_cast<T>(n);
}
// ∂loss/∂p = 2(p − y)/n = −∂loss/∂y
template <class T>
void mse_backward(T* dpred, T* dtarget, T dloss, const T* pred, const T* target, int64_t n) {
  const T s = T(2) * dloss / static_cast<T>(n);
  for (int64_t k = 0; k < n; ++k) {
    const T g = s * (pred[k] - target[k]);
    if (dpred) dpred[k] += g;
    if (dtarget) dtarget[k] -= g;
  }
}

// loss = (1/n) Σ |p − y|
template <class T>
T mae_forward(const T* pred, const T* target, int64_t n) {
  T total = 0;
  for (int64_t k = 0; k < n; ++k) total += std::abs(pred[k] - target[k]);
  return total / static_cast<T>(n);
}
// ∂loss/∂p = sign(p − y)/n (0 where p = y, as PyTorch) = −∂loss/∂y
template <class T>
void mae_backward(T* dpred, T* dtarget, T dloss, const T* pred, const T* target, int64_t n) {
  const T s = dloss / static_cast<T>(n);
  for (int64_t k = 0; k < n; ++k) {
    const T diff = pred[k] - target[k];
    const T g = diff > T(0) ? s : (diff < T(0) ? -s : T(0));
    if (dpred) dpred[k] += g;
    if (dtarget) dtarget[k] -= g;
  }
}

// logits: [N, C]; labels are copied into the arena, so the caller's buffer may go away.
Var cross_entropy(Tape& t, Var logits, const int32_t* labels);
Var mse(Tape& t, Var pred, Var target);
Var mae(Tape& t, Var pred, Var target);

}  // namespace eaf
