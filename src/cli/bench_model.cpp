#include "cli/bench_model.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "cli/bench_common.h"
#include "core/arena.h"
#include "data/h5_file.h"
#include "models/causal_model.h"
#include "models/tsl_transformer.h"
#include "ops/loss.h"
#include "train/optimizer.h"

namespace eaf {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TslClassifierSpec classifier_spec(const ModelBenchOptions& o, float dropout) {
  TslClassifierSpec s;
  s.length = o.length, s.channels = o.channels, s.classes = o.classes;
  s.d_model = o.d_model, s.d_ff = o.d_ff, s.e_layers = o.layers, s.dropout = dropout;
  s.attention = attention_options_named(o.kind, o.heads, false);
  if (s.attention.kind == "sa") s.attention.dropout = dropout;
  return s;
}

// The shared random input: x ~ U(−1, 1), labels b mod classes, no padding.
struct Batch {
  std::vector<float> x, mask;
  std::vector<int32_t> labels;
};
Batch random_batch(const ModelBenchOptions& o) {
  Rng rng(11);
  Batch b;
  b.x.resize(size_t(o.batch * o.length * o.channels));
  for (float& v : b.x) v = static_cast<float>(rng.uniform(-1, 1));
  b.mask.assign(size_t(o.batch * o.length), 1.0f);
  for (int64_t i = 0; i < o.batch; ++i) b.labels.push_back(int32_t(i % o.classes));
  return b;
}

void write_check_file(const ModelBenchOptions& o, TslClassifier& model, ParameterList& params,
                      Batch& batch, Tape& t) {
  for (Parameter* p : params) p->zero_grad();
  t.reset();
  const Shape xs{o.batch, o.length, o.channels};
  const Var logits =
      model.forward(t, t.constant({batch.x.data(), xs}),
                    t.constant({batch.mask.data(), Shape{o.batch, o.length}}), true, 3);
  const Var loss = cross_entropy(t, logits, batch.labels.data());
  t.backward(loss);
  H5File f(o.export_path, H5File::Mode::kTruncate);
  f.set_attr("kind", o.kind);
  for (auto [key, value] : {std::pair{"batch", o.batch},
                            {"length", o.length},
                            {"channels", o.channels},
                            {"classes", o.classes},
                            {"d_model", o.d_model},
                            {"d_ff", o.d_ff},
                            {"layers", o.layers},
                            {"heads", o.heads}})
    f.set_attr(key, value);
  f.write("x", {o.batch, o.length, o.channels}, batch.x.data());
  f.write("labels", {o.batch}, batch.labels.data());
  f.write("logits", {o.batch, o.classes}, t.value(logits).data);
  f.write("loss", {1}, t.value(loss).data);
  f.create_group("params");
  f.create_group("grads");
  for (Parameter* p : params) {
    const std::vector<int64_t> dims(p->shape.dims.begin(), p->shape.dims.begin() + p->shape.rank);
    f.write("params/" + p->name, dims, p->value.data());
    f.write("grads/" + p->name, dims, p->grad.data());
  }
  std::printf("wrote %s: %s, %zu parameter tensors, loss %.6f\n", o.export_path.c_str(),
              o.kind.c_str(), params.size(), double(t.value(loss).data[0]));
}

}  // namespace

int run_model_bench(const ModelBenchOptions& o) {
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const bool exporting = !o.export_path.empty();
  Rng rng(2021);
  // The check compares deterministic maths: no dropout anywhere.
  TslClassifier model(classifier_spec(o, exporting ? 0.0f : o.dropout), rng);
  ParameterList params;
  model.collect(params);
  Batch batch = random_batch(o);
  Arena arena;
  Tape t(arena);
  if (exporting) {
    write_check_file(o, model, params, batch, t);
    return 0;
  }
  auto adam = make_optimizer("adam", params, OptimizerOptions{});
  const Shape xs{o.batch, o.length, o.channels};
  float last_loss = 0;
  auto train_step = [&](uint64_t step) {
    t.reset();
    adam->zero_grad();
    const Var logits =
        model.forward(t, t.constant({batch.x.data(), xs}),
                      t.constant({batch.mask.data(), Shape{o.batch, o.length}}), true, step);
    const Var loss = cross_entropy(t, logits, batch.labels.data());
    t.backward(loss);
    adam->step();
    last_loss = t.value(loss).data[0];
  };
  train_step(0);  // warm-up: grows the arena, builds the oneDNN primitives
  train_step(1);
  arena.reset_peak();
  std::vector<double> times;
  for (int s = 0; s < o.steps; ++s) {
    const auto start = Clock::now();
    train_step(2 + uint64_t(s));
    times.push_back(seconds_since(start));
  }
  if (!std::isfinite(last_loss)) throw std::runtime_error(o.kind + ": non-finite loss");
  const double best = *std::min_element(times.begin(), times.end()), med = median(times);
  const int64_t rss = read_status_kib("VmHWM:") * 1024;
  std::printf(
      "%s L=%lld: step %.2f ms best, %.2f ms median, %.1f samples/s, arena %s MiB, "
      "RSS %s MiB\n",
      o.kind.c_str(), static_cast<long long>(o.length), best * 1e3, med * 1e3,
      double(o.batch) / med, mib(double(arena.peak_bytes())).c_str(), mib(double(rss)).c_str());
  std::printf("RESULT %.6f %.6f %.4f %lld %lld\n", best, med, double(o.batch) / med,
              static_cast<long long>(arena.peak_bytes()), static_cast<long long>(rss));
  return 0;
}

int run_generation_bench(const ModelBenchOptions& o) {
  if (o.threads > 0) omp_set_num_threads(o.threads);
  CausalModelSpec spec;
  spec.channels = o.channels, spec.d_model = o.d_model, spec.d_ff = o.d_ff;
  spec.layers = o.layers, spec.dropout = 0;
  spec.attention = attention_options_named(o.kind, o.heads, true);
  Rng rng(2021);
  CausalSequenceModel model(spec, rng);
  Arena arena;
  Tape t(arena);
  const int64_t B = o.batch, C = o.channels, P = o.positions;
  std::vector<float> x(static_cast<size_t>(B * C)), y(static_cast<size_t>(B * C));
  for (float& v : x) v = static_cast<float>(rng.uniform(-1, 1));
  {  // warm-up on a throw-away generator: arena, primitives, caches
    auto warm = model.start(B, 256);
    for (int i = 0; i < 256; ++i) warm.step(t, x.data(), y.data());
  }
  auto gen = model.start(B, P);
  std::vector<double> us(static_cast<size_t>(P));
  for (int64_t p = 0; p < P; ++p) {
    const auto start = Clock::now();
    gen.step(t, x.data(), y.data());
    us[size_t(p)] = seconds_since(start) * 1e6;
    for (int64_t i = 0; i < B * C; ++i)  // autoregressive: the output is the next input
      x[size_t(i)] = std::isfinite(y[size_t(i)]) ? std::tanh(y[size_t(i)]) : 0.0f;
  }
  // Latency at position p: median of the (up to) 64 steps ending at p.
  auto window = [&](int64_t first, int64_t last) {  // 1-based, inclusive
    return median(std::vector<double>(us.begin() + (first - 1), us.begin() + last));
  };
  std::printf("%s generation, B=%lld, %lld positions, state %s MiB at the end\n", o.kind.c_str(),
              static_cast<long long>(B), static_cast<long long>(P),
              mib(double(gen.state_bytes())).c_str());
  for (int64_t p = 1; p <= P; p *= 2)
    std::printf("LATENCY %lld %.3f\n", static_cast<long long>(p),
                window(std::max<int64_t>(1, p - 63), p));
  const int64_t edge = std::min<int64_t>(256, P);
  const double first_us = window(1, edge), last_us = window(P - edge + 1, P);
  std::printf("RESULT %.3f %.3f %.4f %lld %lld\n", first_us, last_us, last_us / first_us,
              static_cast<long long>(gen.state_bytes()),
              static_cast<long long>(read_status_kib("VmHWM:") * 1024));
  return 0;
}

}  // namespace eaf
