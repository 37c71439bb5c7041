// The embedded default run trains: its loss falls, and it is deterministic.
#include <catch2/catch.hpp>

#include "data/synthetic.h"
#include "models/ffn_classifier.h"
#include "train/fit_classifier.h"

using namespace eaf;

namespace {
std::vector<EpochMetrics> train_default(int64_t epochs, uint64_t seed) {
  SyntheticSpec spec;
  spec.train_samples = 384, spec.test_samples = 128, spec.seed = seed;
  auto data = make_synthetic_classification(spec);
  Rng rng(seed);
  FfnClassifier model(
      {data.train.length, data.train.channels, data.train.num_classes(), 16, 32, 1, 0.1f}, rng);
  FitOptions fo;
  fo.epochs = epochs;
  fo.seed = seed;
  return fit_classifier(model, data.train, data.test, fo, nullptr);
}
}  // namespace

TEST_CASE("the default classifier learns the synthetic task", "[train]") {
  auto h = train_default(10, 3);
  INFO("first train loss " << h.front().train.loss << ", last " << h.back().train.loss);
  CHECK(h.back().train.loss < 0.7 * h.front().train.loss);
  CHECK(h.back().test.accuracy > 0.5);  // chance is 0.25
}

TEST_CASE("same seed, same numbers", "[train]") {
  auto a = train_default(2, 11), b = train_default(2, 11);
  for (size_t e = 0; e < a.size(); ++e) {
    CHECK(a[e].train.loss == b[e].train.loss);
    CHECK(a[e].test.loss == b[e].test.loss);
  }
  auto c = train_default(2, 12);
  CHECK(c.back().train.loss != a.back().train.loss);
}

TEST_CASE("synthetic data is a pure function of its seed", "[data]") {
  SyntheticSpec s;
  auto a = make_synthetic_classification(s), b = make_synthetic_classification(s);
  CHECK(a.train.values == b.train.values);
  CHECK(a.test.labels == b.test.labels);
  CHECK(a.train.num_samples == s.train_samples);
  for (int64_t i = 0; i < a.train.num_samples; ++i) {
    // The first three quarters of every series are real steps.
    CHECK(a.train.mask[i * s.length + s.length * 3 / 4 - 1] == 1.0f);
  }
}
