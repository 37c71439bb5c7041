// Layers: parameters plus the op that uses them, initialised as PyTorch does.
#pragma once

#include <string>

#include "core/parameter.h"
#include "core/rng.h"
#include "core/tape.h"

namespace eaf {

// Every layer can append its parameters, in a fixed order, to a list.
struct Layer {
  virtual ~Layer() = default;
  virtual void collect(ParameterList& out) = 0;
};

void init_uniform(Parameter& p, double bound, Rng& rng);
void init_normal(Parameter& p, double stddev, Rng& rng);

// nn.Linear: W, b ~ U(±1/√in)
struct Linear : Layer {
  Parameter weight, bias;
  bool has_bias;
  Linear(const std::string& name, int64_t in, int64_t out, Rng& rng, bool with_bias = true);
  Var operator()(Tape& t, Var x);
  void collect(ParameterList& out) override;
};

// nn.LayerNorm: γ = 1, β = 0, ε = 1e-5
struct LayerNorm : Layer {
  Parameter gamma, beta;
  float eps;
  LayerNorm(const std::string& name, int64_t dim, float eps_ = 1e-5f);
  Var operator()(Tape& t, Var x);
  void collect(ParameterList& out) override;
};

// nn.Conv1d with circular padding over [B, L, C] inputs. Default init U(±1/√(in·K));
// kaiming_normal(fan_in, leaky_relu) when asked (TSL's TokenEmbedding).
struct Conv1d : Layer {
  enum class Init { kPyTorchDefault, kKaimingNormalLeakyRelu };
  Parameter weight, bias;
  bool has_bias;
  Conv1d(const std::string& name, int64_t in, int64_t out, int64_t kernel, Rng& rng,
         bool with_bias = true, Init init = Init::kPyTorchDefault);
  Var operator()(Tape& t, Var x);
  void collect(ParameterList& out) override;
};

}  // namespace eaf
