#include "data/synthetic.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/rng.h"

namespace eaf {

namespace {

// Class k, channel c oscillates at 1 + (k + c·(k+1)) mod 4 cycles per full length:
// classes share frequencies on some channels, so no single channel separates them.
double class_frequency(int64_t k, int64_t c) {
  return 1.0 + static_cast<double>((k + c * (k + 1)) % 4);
}

ClassificationSet make_split(const SyntheticSpec& s, int64_t n, Rng rng) {
  ClassificationSet set;
  set.num_samples = n;
  set.length = s.length;
  set.channels = s.channels;
  set.values.assign(n * s.length * s.channels, 0.0f);
  set.mask.assign(n * s.length, 0.0f);
  set.labels.resize(n);
  for (int64_t k = 0; k < s.classes; ++k) set.class_names.push_back("class" + std::to_string(k));
  const double two_pi = 6.283185307179586;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t label = static_cast<int64_t>(rng.below(s.classes));
    set.labels[i] = static_cast<int32_t>(label);
    // Between three quarters and all of the steps are real; the rest is padding.
    const int64_t len = s.length - static_cast<int64_t>(rng.below(s.length / 4 + 1));
    const double phase = rng.uniform(0.0, two_pi);
    for (int64_t c = 0; c < s.channels; ++c) {
      const double amp = rng.uniform(0.7, 1.3);
      const double f = class_frequency(label, c);
      for (int64_t l = 0; l < len; ++l) {
        const double x = amp * std::sin(two_pi * f * l / s.length + phase) + s.noise * rng.normal();
        set.values[(i * s.length + l) * s.channels + c] = static_cast<float>(x);
      }
    }
    for (int64_t l = 0; l < len; ++l) set.mask[i * s.length + l] = 1.0f;
  }
  return set;
}

}  // namespace

SyntheticSplits make_synthetic_classification(const SyntheticSpec& spec) {
  if (spec.classes < 2 || spec.channels < 1 || spec.length < 4)
    throw std::invalid_argument("synthetic data: need classes >= 2, channels >= 1, length >= 4");
  Rng rng(spec.seed);
  return {make_split(spec, spec.train_samples, rng.fork(1)),
          make_split(spec, spec.test_samples, rng.fork(2))};
}

}  // namespace eaf
