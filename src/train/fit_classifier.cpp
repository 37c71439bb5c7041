#include "train/fit_classifier.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "core/rng.h"
#include "data/batch_order.h"
#include "ops/loss.h"
#include "train/optimizer.h"

namespace eaf {

namespace {

struct BatchVars {
  Var x, mask;
  const int32_t* labels;
  int64_t size;
};

// Gathers the samples of one batch into arena buffers owned by this step.
BatchVars gather(Tape& t, const ClassificationSet& set, std::span<const int64_t> idx) {
  const int64_t B = static_cast<int64_t>(idx.size()), L = set.length, C = set.channels;
  float* x = t.arena().alloc<float>(B * L * C);
  float* m = t.arena().alloc<float>(B * L);
  int32_t* y = t.arena().alloc<int32_t>(B);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t s = idx[b];
    std::memcpy(x + b * L * C, set.values.data() + s * L * C, sizeof(float) * L * C);
    std::memcpy(m + b * L, set.mask.data() + s * L, sizeof(float) * L);
    y[b] = set.labels[s];
  }
  return {t.constant({x, Shape{B, L, C}}), t.constant({m, Shape{B, L}}), y, B};
}

int64_t count_correct(const Tensor& logits, const int32_t* labels) {
  const int64_t N = logits.shape[0], C = logits.shape[1];
  int64_t correct = 0;
  for (int64_t n = 0; n < N; ++n) {
    int64_t best = 0;
    for (int64_t c = 1; c < C; ++c)
      if (logits.data[n * C + c] > logits.data[n * C + best]) best = c;
    correct += best == labels[n];
  }
  return correct;
}

}  // namespace

SplitMetrics evaluate_classifier(SequenceClassifier& model, const ClassificationSet& set,
                                 int64_t batch_size, Tape& tape) {
  NoGradGuard no_grad(tape);
  BatchOrder order(set.num_samples, batch_size, /*shuffle=*/false, /*drop_last=*/false, 0);
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t i = 0; i < order.num_batches(); ++i) {
    tape.reset();
    BatchVars b = gather(tape, set, order.batch(i));
    Var logits = model.forward(tape, b.x, b.mask, false, 0);
    loss_sum += tape.value(cross_entropy(tape, logits, b.labels)).data[0] * b.size;
    correct += count_correct(tape.value(logits), b.labels);
  }
  tape.reset();
  const double n = static_cast<double>(set.num_samples);
  return {loss_sum / n, correct / n};
}

std::vector<EpochMetrics> fit_classifier(SequenceClassifier& model, const ClassificationSet& train,
                                         const ClassificationSet& test, const FitOptions& opt,
                                         const EpochCallback& on_epoch) {
  ParameterList params;
  model.collect(params);
  OptimizerOptions oo;
  oo.lr = opt.lr;
  auto optimizer = make_optimizer(opt.optimizer, params, oo);
  Arena arena;
  Tape tape(arena);
  BatchOrder order(train.num_samples, opt.batch_size, /*shuffle=*/true, /*drop_last=*/false,
                   opt.seed);
  std::vector<EpochMetrics> history;
  for (int64_t epoch = 1; epoch <= opt.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    order.start_epoch(epoch);
    double loss_sum = 0.0;
    int64_t correct = 0;
    for (int64_t i = 0; i < order.num_batches(); ++i) {
      tape.reset();
      BatchVars b = gather(tape, train, order.batch(i));
      const uint64_t step_key = hash2(opt.seed ^ 0xD50F, static_cast<uint64_t>(epoch) << 32 | i);
      Var logits = model.forward(tape, b.x, b.mask, true, step_key);
      Var loss = cross_entropy(tape, logits, b.labels);
      const float loss_value = tape.value(loss).data[0];
      if (!std::isfinite(loss_value))
        throw std::runtime_error("training diverged: loss is " + std::to_string(loss_value) +
                                 " at epoch " + std::to_string(epoch));
      optimizer->zero_grad();
      tape.backward(loss);
      if (opt.clip_norm > 0) {
        const double norm = clip_grad_norm(params, opt.clip_norm);
        if (!std::isfinite(norm))
          throw std::runtime_error("training diverged: gradient norm is not finite at epoch " +
                                   std::to_string(epoch));
      }
      optimizer->step();
      loss_sum += loss_value * b.size;
      correct += count_correct(tape.value(logits), b.labels);
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.train = {loss_sum / train.num_samples, static_cast<double>(correct) / train.num_samples};
    m.test = evaluate_classifier(model, test, opt.batch_size, tape);
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    history.push_back(m);
    if (on_epoch) on_epoch(m);
  }
  return history;
}

}  // namespace eaf
