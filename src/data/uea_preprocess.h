// UEA classification preprocessing, exactly as Time-Series-Library's UEAloader +
// collate_fn (DESIGN.md §2):
//  1. If any sample of a split has dimensions of different lengths, every series of that
//     split longer than 256 is subsampled by 2 (y[::2]).
//  2. A sample is a [len, C] frame, len = its longest dimension; shorter dimensions and
//     missing values are NaN, then filled per column by linear interpolation in the
//     step index, extending the first/last valid value to the edges (pandas
//     interpolate(limit_direction='both')). A column with no valid value becomes 0
//     (TSL would keep the NaN and train on it).
//  3. Standardisation per channel over all steps of all samples: (x − mean)/(std + ε),
//     std with ddof = 1, ε = 2.2e-16. `per_split` (TSL: train and test each fitted on
//     themselves, the default for parity) or `train_stats` (test uses train's).
//  4. EthanolConcentration (or instance_norm: on): per sample, subtract the time mean of
//     each channel, then divide each step by √(var over channels, ddof 0, + 1e-5) — TSL's
//     formula, which normalises across channels, not time.
//  5. Zero-padding to L = max over both splits of the first dimension's length (TSL's
//     max_seq_len rule); longer samples are cut to L. The mask is 1 on real steps.
#pragma once

#include <string>

#include "data/classification_set.h"
#include "data/store.h"

namespace eaf {

struct UeaPreprocessOptions {
  std::string normalize = "per_split";  // per_split | train_stats | none
  std::string instance_norm = "auto";   // auto (EthanolConcentration only) | on | off
};

struct UeaPrepared {
  ClassificationSet train, test;
  std::vector<double> train_mean, train_std, test_mean, test_std;  // the statistics applied
  bool instance_normalised = false;
  int64_t interpolated_values = 0;  // NaNs filled by step 2 (both splits)
};

UeaPrepared prepare_uea(const RawClassification& raw, const UeaPreprocessOptions& opt);

}  // namespace eaf
