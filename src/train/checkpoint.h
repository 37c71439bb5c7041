// Training checkpoints in HDF5: parameters by name, optimiser state, and the trainer's
// own state (epochs done, early-stopping record, learning rate, metrics so far).
// Written atomically; loading checks every parameter's name and shape.
#pragma once

#include <string>
#include <vector>

#include "core/parameter.h"
#include "train/optimizer.h"

namespace eaf {

// One row of metrics.csv.
struct EpochRecord {
  int64_t epoch = 0;
  double train_loss = 0, val_loss = 0, val_metric = 0, test_loss = 0, test_metric = 0;
  double lr = 0, seconds = 0;
  double train_seconds = 0;  // of `seconds`, the part spent in training steps
};

struct TrainerState {
  int64_t epochs_done = 0;
  int64_t steps = 0;
  double best_score = 0;  // higher is better (accuracy, or −val loss)
  bool has_best = false;
  int64_t bad_epochs = 0;
  double lr = 0;
  bool finished = false;  // early-stopped or all epochs done
  std::vector<EpochRecord> history;
};

void save_checkpoint(const std::string& path, const ParameterList& params, Optimizer* optimizer,
                     const TrainerState& state);
// Loads into existing parameters (and optimiser, if given); throws DataError naming the
// file and the offending parameter when names or shapes differ.
void load_checkpoint(const std::string& path, const ParameterList& params, Optimizer* optimizer,
                     TrainerState& state);

}  // namespace eaf
