// Mini-batch training of a SequenceClassifier with per-epoch metrics.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "data/classification_set.h"
#include "models/classifier.h"

namespace eaf {

struct FitOptions {
  int64_t epochs = 10;
  int64_t batch_size = 16;
  double lr = 1e-3;
  double clip_norm = 4.0;  // ≤ 0 disables clipping
  std::string optimizer = "radam";
  uint64_t seed = 0;
};

struct SplitMetrics {
  double loss = 0.0, accuracy = 0.0;
};

struct EpochMetrics {
  int64_t epoch = 0;
  SplitMetrics train, test;
  double seconds = 0.0;
};

// Called after every epoch (progress output, early stopping, checkpoints later).
using EpochCallback = std::function<void(const EpochMetrics&)>;

std::vector<EpochMetrics> fit_classifier(SequenceClassifier& model, const ClassificationSet& train,
                                         const ClassificationSet& test, const FitOptions& opt,
                                         const EpochCallback& on_epoch);

// Loss and accuracy in evaluation mode, every sample counted (the last batch is kept).
SplitMetrics evaluate_classifier(SequenceClassifier& model, const ClassificationSet& set,
                                 int64_t batch_size, Tape& tape);

}  // namespace eaf
