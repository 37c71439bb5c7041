#include "models/layers.h"

#include <cmath>

#include "ops/conv1d.h"
#include "ops/layernorm.h"
#include "ops/linear.h"

namespace eaf {

void init_uniform(Parameter& p, double bound, Rng& rng) {
  for (float& v : p.value) v = static_cast<float>(rng.uniform(-bound, bound));
}

void init_normal(Parameter& p, double stddev, Rng& rng) {
  for (float& v : p.value) v = static_cast<float>(stddev * rng.normal());
}

Linear::Linear(const std::string& name, int64_t in, int64_t out, Rng& rng, bool with_bias)
    : weight(name + ".weight", Shape{out, in}),
      bias(name + ".bias", Shape{with_bias ? out : 0}),
      has_bias(with_bias) {
  // kaiming_uniform(a = √5) on [out, in] gives exactly U(±1/√in).
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  init_uniform(weight, bound, rng);
  if (has_bias) init_uniform(bias, bound, rng);
}

Var Linear::operator()(Tape& t, Var x) {
  return linear(t, x, t.param(weight), has_bias ? t.param(bias) : Var{});
}

void Linear::collect(ParameterList& out) {
  out.push_back(&weight);
  if (has_bias) out.push_back(&bias);
}

LayerNorm::LayerNorm(const std::string& name, int64_t dim, float eps_)
    : gamma(name + ".weight", Shape{dim}), beta(name + ".bias", Shape{dim}), eps(eps_) {
  std::fill(gamma.value.begin(), gamma.value.end(), 1.0f);
}

Var LayerNorm::operator()(Tape& t, Var x) {
  return layernorm(t, x, t.param(gamma), t.param(beta), eps);
}

void LayerNorm::collect(ParameterList& out) {
  out.push_back(&gamma);
  out.push_back(&beta);
}

Conv1d::Conv1d(const std::string& name, int64_t in, int64_t out, int64_t kernel, Rng& rng,
               bool with_bias, Init init)
    : weight(name + ".weight", Shape{out, in, kernel}),
      bias(name + ".bias", Shape{with_bias ? out : 0}),
      has_bias(with_bias) {
  const double fan_in = static_cast<double>(in * kernel);
  if (init == Init::kKaimingNormalLeakyRelu) {
    // gain for leaky_relu with PyTorch's default slope 0.01: √(2/(1 + 0.01²))
    const double gain = std::sqrt(2.0 / (1.0 + 0.01 * 0.01));
    init_normal(weight, gain / std::sqrt(fan_in), rng);
  } else {
    init_uniform(weight, 1.0 / std::sqrt(fan_in), rng);
  }
  if (has_bias) init_uniform(bias, 1.0 / std::sqrt(fan_in), rng);
}

Var Conv1d::operator()(Tape& t, Var x) {
  return conv1d_circular(t, x, t.param(weight), has_bias ? t.param(bias) : Var{});
}

void Conv1d::collect(ParameterList& out) {
  out.push_back(&weight);
  if (has_bias) out.push_back(&bias);
}

}  // namespace eaf
