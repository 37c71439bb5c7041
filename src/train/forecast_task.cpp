// Forecasting: the TSL encoder–decoder Transformer on a CSV (ETT, Traffic, ...).
// Decoder input = the last label_len known steps followed by pred_len zeros; the loss
// is the MSE over the last pred_len steps (features MS: only the target channel).
#include <cmath>
#include <cstring>

#include "attention/attention.h"
#include "data/batch_order.h"
#include "data/forecast_data.h"
#include "data/h5_file.h"
#include "models/tsl_transformer.h"
#include "ops/loss.h"
#include "ops/slice.h"
#include "train/task.h"

namespace eaf {

namespace {

class ForecastTask final : public Task {
 public:
  explicit ForecastTask(const Config& cfg) : batch_size_(cfg.get_int("train.batch_size")) {
    ForecastOptions o;
    o.seq_len = cfg.get_int("data.seq_len");
    o.label_len = cfg.get_int("data.label_len");
    o.pred_len = cfg.get_int("data.pred_len");
    o.features = cfg.get_string("data.features");
    o.target = cfg.get_string("data.target");
    o.split = cfg.get_string("data.split");
    o.freq = cfg.get_string("data.freq");
    o.scale = cfg.get_bool("data.scale");
    name_ = cfg.get_string("data.dataset");
    data_ = prepare_forecast(load_forecast(name_, data_locations(cfg)), o);
    opt_ = o;
    target_only_ = o.features == "MS";
    TslForecasterSpec s;
    s.enc_in = s.dec_in = s.c_out = data_.train.channels;
    s.time_features = data_.train.time_features;
    s.seq_len = o.seq_len, s.label_len = o.label_len, s.pred_len = o.pred_len;
    s.d_model = cfg.get_int("model.d_model");
    s.d_ff = cfg.get_int("model.d_ff");
    s.e_layers = cfg.get_int("model.e_layers");
    s.d_layers = cfg.get_int("model.d_layers");
    s.dropout = static_cast<float>(cfg.get_float("model.dropout"));
    s.encoder_attention = attention_options(cfg, "model.attention", o.seq_len);
    s.decoder_attention =
        attention_options(cfg, "model.decoder_attention", o.label_len + o.pred_len);
    s.cross_attention = attention_options(cfg, "model.cross_attention",
                                          std::max(o.seq_len, o.label_len + o.pred_len));
    s.cross_attention.causal = false;
    Rng init(static_cast<uint64_t>(cfg.get_int("seed")));
    model_ = std::make_unique<TslForecaster>(s, init);
    order_ = std::make_unique<BatchOrder>(data_.train.num_windows(), batch_size_, true, false,
                                          static_cast<uint64_t>(cfg.get_int("seed")));
  }

  ParameterList parameters() override {
    ParameterList p;
    model_->collect(p);
    return p;
  }
  std::string describe() const override {
    return name_ + " (" + data_.split_scheme + " split, features " + opt_.features + ", " +
           std::to_string(data_.train.channels) +
           " channels): " + std::to_string(data_.train.num_windows()) + " / " +
           std::to_string(data_.val.num_windows()) + " / " +
           std::to_string(data_.test.num_windows()) + " train/val/test windows, " +
           std::to_string(opt_.seq_len) + " → " + std::to_string(opt_.pred_len);
  }
  const char* metric_name() const override { return "mae"; }
  double score(const SplitEval& val) const override { return -val.loss; }

  void start_epoch(int64_t epoch) override { order_->start_epoch(epoch); }
  int64_t num_train_batches() const override { return order_->num_batches(); }

  float train_step(Tape& t, int64_t batch, uint64_t key) override {
    Batch b = gather(t, data_.train, order_->batch(batch));
    Var loss = mse(t, prediction(t, b, true, key), b.target);
    const float value = t.value(loss).data[0];
    if (std::isfinite(value)) t.backward(loss);
    return value;
  }

  SplitEval evaluate(Tape& t, EvalSplit which) override {
    const ForecastSplit& split = which == EvalSplit::kTest ? data_.test : data_.val;
    NoGradGuard ng(t);
    BatchOrder order(split.num_windows(), batch_size_, false, false, 0);
    double loss_sum = 0, se = 0, ae = 0;
    int64_t count = 0;
    for (int64_t i = 0; i < order.num_batches(); ++i) {
      t.reset();
      Batch b = gather(t, split, order.batch(i));
      const Var pred = prediction(t, b, false, 0);
      loss_sum += t.value(mse(t, pred, b.target)).data[0];
      const Tensor p = t.value(pred), y = t.value(b.target);
      for (int64_t k = 0; k < p.numel(); ++k) {
        const double d = double(p.data[k]) - y.data[k];
        se += d * d;
        ae += std::abs(d);
      }
      count += p.numel();
    }
    t.reset();
    return {loss_sum / order.num_batches(), ae / count, se / count};
  }

  void write_predictions(Tape& t, const std::string& path) override {
    NoGradGuard ng(t);
    std::vector<float> preds, trues;
    BatchOrder order(data_.test.num_windows(), batch_size_, false, false, 0);
    int64_t c = 0;
    for (int64_t i = 0; i < order.num_batches(); ++i) {
      t.reset();
      Batch b = gather(t, data_.test, order.batch(i));
      const Tensor p = t.value(prediction(t, b, false, 0)), y = t.value(b.target);
      preds.insert(preds.end(), p.data, p.data + p.numel());
      trues.insert(trues.end(), y.data, y.data + y.numel());
      c = p.shape[2];
    }
    t.reset();
    const int64_t n = data_.test.num_windows();
    write_h5_atomically(path, [&](H5File& h5) {
      h5.set_attr("kind", std::string("forecast_predictions"));
      h5.set_attr("note", std::string("scaled values, as TSL reports its metrics"));
      h5.write("/pred", {n, opt_.pred_len, c}, preds.data());
      h5.write("/true", {n, opt_.pred_len, c}, trues.data());
    });
  }

 private:
  struct Batch {
    Var x_enc, mark_enc, x_dec, mark_dec, target;
  };

  Batch gather(Tape& t, const ForecastSplit& s, std::span<const int64_t> idx) const {
    const int64_t B = static_cast<int64_t>(idx.size()), C = s.channels, F = s.time_features;
    const int64_t S = opt_.seq_len, Ld = opt_.label_len + opt_.pred_len;
    float* x = t.arena().alloc<float>(B * S * C);
    float* y = t.arena().alloc<float>(B * Ld * C);
    float* mx = t.arena().alloc<float>(B * S * F);
    float* my = t.arena().alloc<float>(B * Ld * F);
    for (int64_t b = 0; b < B; ++b)
      s.window(idx[b], x + b * S * C, y + b * Ld * C, mx + b * S * F, my + b * Ld * F);
    // Decoder input: the label part of y, then zeros.
    float* dec = t.arena().alloc_zeroed<float>(B * Ld * C);
    for (int64_t b = 0; b < B; ++b)
      std::memcpy(dec + b * Ld * C, y + b * Ld * C, sizeof(float) * opt_.label_len * C);
    // Target: the last pred_len steps (MS: the target channel only).
    const int64_t Ct = target_only_ ? 1 : C;
    float* target = t.arena().alloc<float>(B * opt_.pred_len * Ct);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t l = 0; l < opt_.pred_len; ++l)
        for (int64_t c = 0; c < Ct; ++c)
          target[(b * opt_.pred_len + l) * Ct + c] =
              y[(b * Ld + opt_.label_len + l) * C + (target_only_ ? C - 1 : c)];
    return {t.constant({x, Shape{B, S, C}}), t.constant({mx, Shape{B, S, F}}),
            t.constant({dec, Shape{B, Ld, C}}), t.constant({my, Shape{B, Ld, F}}),
            t.constant({target, Shape{B, opt_.pred_len, Ct}})};
  }

  Var prediction(Tape& t, const Batch& b, bool training, uint64_t key) {
    Var out = model_->forward(t, b.x_enc, b.mark_enc, b.x_dec, b.mark_dec, training, key);
    const int64_t C = t.shape(out)[2];
    return target_only_ ? slice(t, out, 2, C - 1, 1) : out;
  }

  int64_t batch_size_;
  std::string name_;
  ForecastOptions opt_;
  ForecastData data_;
  bool target_only_ = false;
  std::unique_ptr<TslForecaster> model_;
  std::unique_ptr<BatchOrder> order_;
};

}  // namespace

std::unique_ptr<Task> make_forecast_task(const Config& cfg) {
  return std::make_unique<ForecastTask>(cfg);
}

}  // namespace eaf
