// Reverse-mode autodiff tape.
//
// Forward ops allocate their outputs from the arena and, when gradients are wanted,
// record one Node each: a backward function pointer plus the handles, saved buffers
// and sizes it needs. backward() replays the nodes in reverse. Nodes are plain
// structs in a vector whose capacity survives reset(), so recording allocates nothing
// once the first step has run. Fused ops (layernorm, attention) are single nodes that
// call their hand-written backward kernels.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/arena.h"
#include "core/parameter.h"
#include "core/tensor.h"

namespace eaf {

struct Var {
  int id = -1;
  bool valid() const { return id >= 0; }
};

class Tape;

struct Node {
  using Backward = void (*)(Tape&, const Node&);
  Backward backward = nullptr;
  std::array<Var, 4> in{};
  Var out;
  std::array<Tensor, 3> saved{};  // buffers the backward needs (arena memory)
  std::array<int64_t, 6> i{};     // sizes and flags
  std::array<double, 2> f{};      // scalars (eps, scale, probability ...)
  const void* ctx = nullptr;      // op-specific read-only state
};

class Tape {
 public:
  explicit Tape(Arena& arena) : arena_(&arena) {}

  Arena& arena() { return *arena_; }

  // Leaves. A constant never receives a gradient; a parameter accumulates into its
  // own grad buffer; a leaf() accumulates into caller-provided memory.
  Var constant(Tensor value);
  Var param(Parameter& p);
  Var leaf(Tensor value, Tensor grad);

  // Plumbing for ops.
  Var make_output(Shape shape, bool needs_grad);
  // A new value that reuses existing memory (reshape views).
  Var make_view(Tensor value, bool needs_grad) {
    return push(value, Tensor{}, needs_grad && grad_enabled_);
  }
  bool needs_grad(Var v) const { return needs_grad_[v.id] != 0; }
  bool any_needs_grad(std::initializer_list<Var> vs) const;
  void record(const Node& n) { nodes_.push_back(n); }

  const Tensor& value(Var v) const { return values_[v.id]; }
  Shape shape(Var v) const { return values_[v.id].shape; }
  // The gradient buffer of v, allocated zero-filled on first use.
  Tensor grad(Var v);
  // Null when no gradient has reached v (it is zero).
  const Tensor& grad_if_any(Var v) const { return grads_[v.id]; }

  bool grad_enabled() const { return grad_enabled_; }
  void set_grad_enabled(bool on) { grad_enabled_ = on; }

  // Seeds d(loss)/d(loss) = 1 and replays recorded nodes in reverse.
  void backward(Var loss);

  // Forget all values and nodes and rewind the arena. Capacity is kept.
  void reset();

  size_t num_nodes() const { return nodes_.size(); }
  size_t num_values() const { return values_.size(); }

 private:
  Var push(Tensor value, Tensor grad, bool needs_grad);

  Arena* arena_;
  std::vector<Tensor> values_;
  std::vector<Tensor> grads_;
  std::vector<uint8_t> needs_grad_;
  std::vector<Node> nodes_;
  bool grad_enabled_ = true;
};

// Inference mode for a scope: ops compute values but record nothing.
class NoGradGuard {
 public:
  explicit NoGradGuard(Tape& t) : tape_(t), previous_(t.grad_enabled()) {
    t.set_grad_enabled(false);
  }
  ~NoGradGuard() { tape_.set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  Tape& tape_;
  bool previous_;
};

}  // namespace eaf
