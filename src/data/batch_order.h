// The order in which a loader visits samples: seeded shuffling per epoch, fixed-size
// batches, and an explicit choice about the last partial batch (evaluation keeps it).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.h"

namespace eaf {

class BatchOrder {
 public:
  BatchOrder(int64_t num_samples, int64_t batch_size, bool shuffle, bool drop_last, uint64_t seed);

  // Reshuffles (if shuffling) from a stream that depends only on (seed, epoch), so a run
  // resumed at an epoch boundary sees the same order as an uninterrupted one.
  void start_epoch(int64_t epoch);
  int64_t num_batches() const;
  std::span<const int64_t> batch(int64_t b) const;

 private:
  int64_t batch_size_;
  bool shuffle_, drop_last_;
  Rng rng_;
  std::vector<int64_t> order_;
};

}  // namespace eaf
