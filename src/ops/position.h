// Sinusoidal position embedding (Vaswani et al.; TSL's PositionalEmbedding):
//   PE[l, 2i] = sin(l·ω_i),  PE[l, 2i+1] = cos(l·ω_i),  ω_i = 10000^(−2i/D)
#pragma once

#include <cmath>

#include "core/tape.h"

namespace eaf {

// pe: [L, D]
template <class T>
void sinusoidal_table(T* pe, int64_t L, int64_t D) {
  for (int64_t l = 0; l < L; ++l)
    for (int64_t d = 0; d < D; ++d) {
      const int64_t even = d - d % 2;
      const double omega = std::exp(-static_cast<double>(even) * std::log(10000.0) / D);
      const double angle = static_cast<double>(l) * omega;
      pe[l * D + d] = static_cast<T>(d % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
}

// y[b, l, :] = x[b, l, :] + pe[l, :]
template <class T>
void add_position_forward(T* y, const T* x, const T* pe, int64_t B, int64_t L, int64_t D) {
#pragma omp parallel for collapse(2) schedule(static) if (B * L * D > 65536)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t l = 0; l < L; ++l)
      for (int64_t d = 0; d < D; ++d)
        y[(b * L + l) * D + d] = x[(b * L + l) * D + d] + pe[l * D + d];
}
// The table is a constant: dx += dy.

// x: [B, L, D] → x + PE (the table is built in the arena, not learned)
Var add_sinusoidal_position(Tape& t, Var x);

}  // namespace eaf
