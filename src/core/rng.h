// Counter-based random numbers.
//
// Every random number is a pure function of (key, counter): hash the pair with the
// splitmix64 finaliser. Dropout masks can therefore be regenerated in backward instead
// of stored, and results do not depend on how work is split over threads.
#pragma once

#include <cmath>
#include <cstdint>

namespace eaf {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline uint64_t hash2(uint64_t key, uint64_t counter) {
  return splitmix64(splitmix64(key) ^ (counter * 0xD1B54A32D192ED03ull));
}

// Uniform in [0, 1) with 24 random bits: exactly representable in float.
inline float uniform01(uint64_t key, uint64_t counter) {
  return static_cast<float>(hash2(key, counter) >> 40) * (1.0f / 16777216.0f);
}

// Sequential generator for initialisation and shuffling: a key and a running counter.
class Rng {
 public:
  explicit Rng(uint64_t seed) : key_(seed) {}
  uint64_t next_u64() { return hash2(key_, counter_++); }
  // Uniform in [0, 1) with 53 bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  double normal() {
    double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return next_u64() % n; }
  // An independent child stream, e.g. one per dropout site or per epoch.
  Rng fork(uint64_t stream) { return Rng(hash2(key_, ~stream)); }
  uint64_t key() const { return key_; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

}  // namespace eaf
