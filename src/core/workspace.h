// Per-thread scratch memory for kernels that run an OpenMP team.
//
// The tape path passes arena memory sized per_thread × omp_get_max_threads(), so a
// training step allocates nothing; a null pointer (tests, one-off calls) makes the
// workspace allocate its own.
#pragma once

#include <omp.h>

#include <cstdint>
#include <vector>

namespace eaf {

template <class T>
class ThreadWorkspace {
 public:
  static int64_t size(int64_t per_thread) { return per_thread * omp_get_max_threads(); }

  ThreadWorkspace(T* external, int64_t per_thread) : per_thread_(per_thread), base_(external) {
    if (!base_) {
      owned_.resize(size(per_thread));
      base_ = owned_.data();
    }
  }
  // Call inside the parallel region.
  T* mine() const { return base_ + omp_get_thread_num() * per_thread_; }

 private:
  int64_t per_thread_;
  T* base_;
  std::vector<T> owned_;
};

}  // namespace eaf
