// What the trainer needs from a task (classification or forecasting): parameters, one
// training step per batch, evaluation of a split, and the predictions file. The loop
// itself — optimiser, clipping, early stopping, schedule, checkpoints, metrics — lives
// once in trainer.cpp.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "core/tape.h"

namespace eaf {

struct SplitEval {
  double loss = 0;    // mean over batches of the batch loss (TSL's vali)
  double metric = 0;  // accuracy (classification) or MAE over all values (forecasting)
  double mse = 0;     // forecasting: MSE over all values
};

enum class EvalSplit { kValidation, kTest };

class Task {
 public:
  virtual ~Task() = default;
  virtual ParameterList parameters() = 0;
  virtual std::string describe() const = 0;  // one line for the log
  virtual const char* metric_name() const = 0;
  // Higher is better: early stopping keeps the best score.
  virtual double score(const SplitEval& val) const = 0;
  // Whether validation and test are the same split (TSL classification): evaluated once.
  virtual bool validation_is_test() const { return false; }

  virtual void start_epoch(int64_t epoch) = 0;
  virtual int64_t num_train_batches() const = 0;
  // Forward and backward of one batch; returns the loss (finite-checked by the caller).
  virtual float train_step(Tape& t, int64_t batch, uint64_t dropout_key) = 0;
  virtual SplitEval evaluate(Tape& t, EvalSplit split) = 0;
  virtual void write_predictions(Tape& t, const std::string& path) = 0;
};

std::unique_ptr<Task> make_classification_task(const Config& cfg);
std::unique_ptr<Task> make_forecast_task(const Config& cfg);

// Attention options of a config site ("model.attention", "model.decoder_attention",
// "model.cross_attention"); unset fields of the decoder sites inherit from the first.
struct AttentionOptions;
AttentionOptions attention_options(const Config& cfg, const std::string& site, int64_t length);

// data.dir and data.cache_dir, falling back to the environment's defaults.
struct DataLocations;
DataLocations data_locations(const Config& cfg);

}  // namespace eaf
