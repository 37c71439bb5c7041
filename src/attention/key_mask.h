// The key-padding mask convention shared by every attention kernel: mask is [B, Lk]
// with 1 for a valid key and 0 for padding, or null for "all keys valid".
#pragma once

#include <cstdint>

namespace eaf {

template <class T>
inline bool key_valid(const T* mask, int64_t b, int64_t Lk, int64_t j) {
  return !mask || mask[b * Lk + j] != T(0);
}

}  // namespace eaf
