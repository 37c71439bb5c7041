// One training run from a config: data, model, the training loop with early stopping,
// checkpoints and resume, and everything a run directory keeps:
//   config.yaml        the resolved config (every key, defaults included)
//   metrics.csv        one row per epoch
//   final.json         the final test metrics (from the best checkpoint)
//   predictions.h5     test-set predictions
//   log.txt            what was printed
//   checkpoint_last.h5 / checkpoint_best.h5
// A run directory with a checkpoint_last.h5 resumes from it; the result equals an
// uninterrupted run (same seed and thread count): shuffling and dropout depend only on
// (seed, epoch, batch), and the checkpoint holds parameters, optimiser and trainer state.
#pragma once

#include <map>
#include <string>

#include "config/config.h"
#include "train/checkpoint.h"

namespace eaf {

struct RunOptions {
  std::string run_dir;            // default: output.dir/<name>
  int64_t abort_after_steps = 0;  // test hook: throw RunAborted after this many steps
};

struct RunAborted : std::runtime_error {
  RunAborted() : std::runtime_error("run aborted (test hook)") {}
};

struct RunResult {
  std::string run_dir;
  std::map<std::string, double> final_metrics;
  std::vector<EpochRecord> history;
  bool resumed = false;
};

RunResult train_run(const Config& cfg, const RunOptions& opt);
// Loads a finished (or interrupted) run's best checkpoint and evaluates the test split.
RunResult evaluate_run(const std::string& run_dir);
// The run name a config implies: name, else "<dataset>_<attention>[_<pred_len>]".
std::string default_run_name(const Config& cfg);

}  // namespace eaf
