// A trainable parameter: it owns its value and its gradient for the model's lifetime.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"

namespace eaf {

struct Parameter {
  std::string name;
  Shape shape;
  std::vector<float> value;
  std::vector<float> grad;

  Parameter(std::string name_, Shape shape_)
      : name(std::move(name_)),
        shape(shape_),
        value(static_cast<size_t>(shape_.numel()), 0.0f),
        grad(static_cast<size_t>(shape_.numel()), 0.0f) {}

  Tensor data() { return {value.data(), shape}; }
  Tensor gradient() { return {grad.data(), shape}; }
  int64_t numel() const { return shape.numel(); }
  void zero_grad() { std::fill(grad.begin(), grad.end(), 0.0f); }
};

// Non-owning list of a model's parameters, in a fixed order (checkpoints and
// optimiser state rely on that order).
using ParameterList = std::vector<Parameter*>;

}  // namespace eaf
