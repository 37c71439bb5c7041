// Classification: the TSL Transformer classifier on a UEA set or the synthetic set.
#include <cmath>
#include <cstring>
#include <numeric>

#include "attention/attention.h"
#include "data/batch_order.h"
#include "data/h5_file.h"
#include "data/synthetic.h"
#include "data/uea_preprocess.h"
#include "models/tsl_transformer.h"
#include "ops/loss.h"
#include "train/task.h"

namespace eaf {

namespace {

ClassificationSet subset(const ClassificationSet& s, const std::vector<int64_t>& idx) {
  ClassificationSet out;
  out.num_samples = static_cast<int64_t>(idx.size());
  out.length = s.length;
  out.channels = s.channels;
  out.class_names = s.class_names;
  const int64_t row = s.length * s.channels;
  for (int64_t i : idx) {
    out.values.insert(out.values.end(), s.values.begin() + i * row,
                      s.values.begin() + (i + 1) * row);
    out.mask.insert(out.mask.end(), s.mask.begin() + i * s.length,
                    s.mask.begin() + (i + 1) * s.length);
    out.labels.push_back(s.labels[i]);
  }
  return out;
}

class ClassificationTask final : public Task {
 public:
  explicit ClassificationTask(const Config& cfg) : batch_size_(cfg.get_int("train.batch_size")) {
    load_data(cfg);
    TslClassifierSpec spec;
    spec.length = train_.length;
    spec.channels = train_.channels;
    spec.classes = train_.num_classes();
    spec.d_model = cfg.get_int("model.d_model");
    spec.d_ff = cfg.get_int("model.d_ff");
    spec.e_layers = cfg.get_int("model.e_layers");
    spec.dropout = static_cast<float>(cfg.get_float("model.dropout"));
    spec.mask_padding = cfg.get_bool("model.mask_padding");
    spec.attention = attention_options(cfg, "model.attention", train_.length);
    Rng init(static_cast<uint64_t>(cfg.get_int("seed")));
    model_ = std::make_unique<TslClassifier>(spec, init);
    order_ = std::make_unique<BatchOrder>(train_.num_samples, batch_size_, true, false,
                                          static_cast<uint64_t>(cfg.get_int("seed")));
  }

  ParameterList parameters() override {
    ParameterList p;
    model_->collect(p);
    return p;
  }
  std::string describe() const override {
    return name_ + ": " + std::to_string(train_.num_samples) + " train / " +
           std::to_string(val_.num_samples) + " validation / " + std::to_string(test_.num_samples) +
           " test samples, length " + std::to_string(train_.length) + ", " +
           std::to_string(train_.channels) + " channels, " + std::to_string(train_.num_classes()) +
           " classes" + (validation_is_test_ ? " (early stopping on TEST, as TSL)" : "");
  }
  const char* metric_name() const override { return "accuracy"; }
  double score(const SplitEval& val) const override { return val.metric; }
  bool validation_is_test() const override { return validation_is_test_; }

  void start_epoch(int64_t epoch) override { order_->start_epoch(epoch); }
  int64_t num_train_batches() const override { return order_->num_batches(); }

  float train_step(Tape& t, int64_t batch, uint64_t key) override {
    Batch b = gather(t, train_, order_->batch(batch));
    Var loss = cross_entropy(t, model_->forward(t, b.x, b.mask, true, key), b.labels);
    const float value = t.value(loss).data[0];
    if (std::isfinite(value)) t.backward(loss);
    return value;
  }

  SplitEval evaluate(Tape& t, EvalSplit which) override {
    const ClassificationSet& set = which == EvalSplit::kTest ? test_ : val_;
    NoGradGuard ng(t);
    BatchOrder order(set.num_samples, batch_size_, false, false, 0);
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t i = 0; i < order.num_batches(); ++i) {
      t.reset();
      Batch b = gather(t, set, order.batch(i));
      Var logits = model_->forward(t, b.x, b.mask, false, 0);
      loss_sum += t.value(cross_entropy(t, logits, b.labels)).data[0];
      correct += count_correct(t.value(logits), b.labels);
    }
    t.reset();
    return {loss_sum / order.num_batches(), double(correct) / set.num_samples, 0};
  }

  void write_predictions(Tape& t, const std::string& path) override {
    NoGradGuard ng(t);
    const int64_t K = test_.num_classes();
    std::vector<float> logits;
    BatchOrder order(test_.num_samples, batch_size_, false, false, 0);
    for (int64_t i = 0; i < order.num_batches(); ++i) {
      t.reset();
      Batch b = gather(t, test_, order.batch(i));
      const Tensor z = t.value(model_->forward(t, b.x, b.mask, false, 0));
      logits.insert(logits.end(), z.data, z.data + z.numel());
    }
    t.reset();
    std::vector<int32_t> predicted(test_.num_samples);
    for (int64_t n = 0; n < test_.num_samples; ++n)
      predicted[n] = static_cast<int32_t>(
          std::max_element(logits.begin() + n * K, logits.begin() + (n + 1) * K) -
          (logits.begin() + n * K));
    write_h5_atomically(path, [&](H5File& h5) {
      h5.set_attr("kind", std::string("classification_predictions"));
      h5.write("/logits", {test_.num_samples, K}, logits.data());
      h5.write("/predicted", {test_.num_samples}, predicted.data());
      h5.write("/labels", {test_.num_samples}, test_.labels.data());
      h5.write_strings("/class_names", test_.class_names);
    });
  }

 private:
  struct Batch {
    Var x, mask;
    const int32_t* labels;
  };

  static Batch gather(Tape& t, const ClassificationSet& set, std::span<const int64_t> idx) {
    const int64_t B = static_cast<int64_t>(idx.size()), L = set.length, C = set.channels;
    float* x = t.arena().alloc<float>(B * L * C);
    float* m = t.arena().alloc<float>(B * L);
    int32_t* y = t.arena().alloc<int32_t>(B);
    for (int64_t b = 0; b < B; ++b) {
      std::memcpy(x + b * L * C, set.values.data() + idx[b] * L * C, sizeof(float) * L * C);
      std::memcpy(m + b * L, set.mask.data() + idx[b] * L, sizeof(float) * L);
      y[b] = set.labels[idx[b]];
    }
    return {t.constant({x, Shape{B, L, C}}), t.constant({m, Shape{B, L}}), y};
  }

  static int64_t count_correct(const Tensor& logits, const int32_t* labels) {
    const int64_t N = logits.shape[0], C = logits.shape[1];
    int64_t correct = 0;
    for (int64_t n = 0; n < N; ++n) {
      const float* z = logits.data + n * C;
      correct += std::max_element(z, z + C) - z == labels[n];
    }
    return correct;
  }

  void load_data(const Config& cfg) {
    const std::string dataset = cfg.get_string("data.dataset");
    if (dataset == "synthetic") {
      SyntheticSpec s;
      s.train_samples = cfg.get_int("data.synthetic.train_samples");
      s.test_samples = cfg.get_int("data.synthetic.test_samples");
      s.length = cfg.get_int("data.synthetic.length");
      s.channels = cfg.get_int("data.synthetic.channels");
      s.classes = cfg.get_int("data.synthetic.classes");
      s.noise = cfg.get_float("data.synthetic.noise");
      s.seed = static_cast<uint64_t>(cfg.get_int("seed"));
      auto d = make_synthetic_classification(s);
      train_ = std::move(d.train);
      test_ = std::move(d.test);
      name_ = "synthetic";
    } else {
      UeaPrepared p =
          prepare_uea(load_uea(dataset, data_locations(cfg)),
                      {cfg.get_string("data.normalize"), cfg.get_string("data.instance_norm")});
      train_ = std::move(p.train);
      test_ = std::move(p.test);
      name_ = dataset;
    }
    validation_is_test_ = cfg.get_string("data.validation") == "test";
    if (validation_is_test_) {
      val_ = test_;
    } else {
      // Seeded held-out part of TRAIN; the rest trains.
      std::vector<int64_t> idx(train_.num_samples);
      std::iota(idx.begin(), idx.end(), 0);
      Rng r(hash2(static_cast<uint64_t>(cfg.get_int("seed")), 0x4001D));
      for (int64_t i = train_.num_samples - 1; i > 0; --i) std::swap(idx[i], idx[r.below(i + 1)]);
      const int64_t n_val = std::max<int64_t>(
          1, std::llround(cfg.get_float("data.holdout_fraction") * train_.num_samples));
      val_ = subset(train_, {idx.begin(), idx.begin() + n_val});
      train_ = subset(train_, {idx.begin() + n_val, idx.end()});
    }
  }

  int64_t batch_size_;
  std::string name_;
  ClassificationSet train_, val_, test_;
  bool validation_is_test_ = true;
  std::unique_ptr<TslClassifier> model_;
  std::unique_ptr<BatchOrder> order_;
};

}  // namespace

std::unique_ptr<Task> make_classification_task(const Config& cfg) {
  return std::make_unique<ClassificationTask>(cfg);
}

}  // namespace eaf
