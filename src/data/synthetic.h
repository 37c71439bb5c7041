// The embedded default data set: a seeded synthetic multivariate classification task
// that needs no files. Each class is a distinct pattern of per-channel frequencies;
// every sample gets a random phase, amplitude, length and additive noise, so a model
// has to look at the whole series and cannot key on one time step.
#pragma once

#include <cstdint>

#include "data/classification_set.h"

namespace eaf {

struct SyntheticSpec {
  int64_t train_samples = 512, test_samples = 256;
  int64_t length = 48, channels = 3, classes = 4;
  double noise = 0.6;
  uint64_t seed = 7;
};

struct SyntheticSplits {
  ClassificationSet train, test;
};

SyntheticSplits make_synthetic_classification(const SyntheticSpec& spec);

}  // namespace eaf
