// An in-memory multivariate classification split, already padded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eaf {

struct ClassificationSet {
  int64_t num_samples = 0, length = 0, channels = 0;
  std::vector<float> values;    // [num_samples, length, channels], zero-padded
  std::vector<float> mask;      // [num_samples, length]: 1 for real steps, 0 for padding
  std::vector<int32_t> labels;  // [num_samples], in [0, class_names.size())
  std::vector<std::string> class_names;

  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
};

}  // namespace eaf
