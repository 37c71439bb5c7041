#include "core/tape.h"

#include <stdexcept>

namespace eaf {

Var Tape::push(Tensor value, Tensor grad, bool needs_grad) {
  values_.push_back(value);
  grads_.push_back(grad);
  needs_grad_.push_back(needs_grad ? 1 : 0);
  return Var{static_cast<int>(values_.size()) - 1};
}

Var Tape::constant(Tensor value) {
  return push(value, Tensor{}, false);
}

Var Tape::param(Parameter& p) {
  return push(p.data(), p.gradient(), grad_enabled_);
}

Var Tape::leaf(Tensor value, Tensor grad) {
  if (grad.data && grad.shape != value.shape)
    throw std::invalid_argument("Tape::leaf: gradient shape differs from value shape");
  return push(value, grad, grad_enabled_ && grad.data != nullptr);
}

Var Tape::make_output(Shape shape, bool needs_grad) {
  Tensor value{arena_->alloc<float>(shape.numel()), shape};
  return push(value, Tensor{}, needs_grad && grad_enabled_);
}

bool Tape::any_needs_grad(std::initializer_list<Var> vs) const {
  if (!grad_enabled_) return false;
  for (Var v : vs)
    if (v.valid() && needs_grad_[v.id]) return true;
  return false;
}

Tensor Tape::grad(Var v) {
  Tensor& g = grads_[v.id];
  if (!g.data) g = Tensor{arena_->alloc_zeroed<float>(values_[v.id].numel()), values_[v.id].shape};
  return g;
}

void Tape::backward(Var loss) {
  if (!needs_grad(loss))
    throw std::logic_error("Tape::backward: the loss does not depend on any trainable value");
  Tensor g = grad(loss);
  for (int64_t k = 0; k < g.numel(); ++k) g.data[k] += 1.0f;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    // No gradient reached this node's output: its contribution is zero.
    if (!grads_[it->out.id].data) continue;
    it->backward(*this, *it);
  }
}

void Tape::reset() {
  values_.clear();
  grads_.clear();
  needs_grad_.clear();
  nodes_.clear();
  arena_->reset();
}

}  // namespace eaf
