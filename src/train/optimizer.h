// Optimisers with PyTorch's semantics (torch.optim, default flags), and gradient-norm
// clipping (torch.nn.utils.clip_grad_norm_).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/parameter.h"

namespace eaf {

struct OptimizerOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;  // L2 for sgd/adam/radam, decoupled for adamw
  double momentum = 0.0, dampening = 0.0;
  bool nesterov = false;
};

class Optimizer {
 public:
  Optimizer(ParameterList params, OptimizerOptions opt);
  virtual ~Optimizer() = default;

  void zero_grad();
  // One update from the parameters' current gradients.
  void step();

  double lr() const { return opt_.lr; }
  void set_lr(double lr) { opt_.lr = lr; }
  int64_t steps_taken() const { return step_; }
  void set_steps_taken(int64_t s) { step_ = s; }
  // Per-parameter state buffers in a fixed order (for checkpoints).
  std::vector<std::vector<float>*> state_buffers();

 protected:
  virtual void update(size_t index, Parameter& p) = 0;
  // Adds one zero-initialised state buffer per parameter; returns its slot.
  size_t add_state();
  std::vector<float>& state(size_t slot, size_t index) { return states_[slot][index]; }

  ParameterList params_;
  OptimizerOptions opt_;
  int64_t step_ = 0;

 private:
  std::vector<std::vector<std::vector<float>>> states_;  // [slot][param][element]
};

// "sgd", "adam", "adamw" or "radam". Throws std::invalid_argument on another name.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, ParameterList params,
                                          OptimizerOptions opt);

// Scales all gradients by min(1, max_norm / (‖g‖₂ + 1e-6)) and returns ‖g‖₂ before
// clipping (accumulated in double in parameter order, so it is deterministic). A
// non-finite norm is returned as is and leaves the gradients untouched: the caller
// must not step.
double clip_grad_norm(const ParameterList& params, double max_norm);

}  // namespace eaf
