#include "train/optimizer.h"

#include <cmath>
#include <stdexcept>

namespace eaf {

Optimizer::Optimizer(ParameterList params, OptimizerOptions opt)
    : params_(std::move(params)), opt_(opt) {}

void Optimizer::zero_grad() {
  for (Parameter* p : params_) p->zero_grad();
}

void Optimizer::step() {
  ++step_;
  for (size_t i = 0; i < params_.size(); ++i) update(i, *params_[i]);
}

size_t Optimizer::add_state() {
  std::vector<std::vector<float>> per_param;
  for (Parameter* p : params_) per_param.emplace_back(p->value.size(), 0.0f);
  states_.push_back(std::move(per_param));
  return states_.size() - 1;
}

std::vector<std::vector<float>*> Optimizer::state_buffers() {
  std::vector<std::vector<float>*> out;
  for (auto& slot : states_)
    for (auto& buf : slot) out.push_back(&buf);
  return out;
}

namespace {

// torch.optim.SGD:
//   g ← g + λp;  b ← g (first step) or μb + (1 − dampening)g;
//   g ← g + μb (nesterov) or b;  p ← p − lr·g
class Sgd final : public Optimizer {
 public:
  Sgd(ParameterList params, OptimizerOptions opt) : Optimizer(std::move(params), opt) {
    momentum_slot_ = add_state();
  }

 protected:
  void update(size_t index, Parameter& p) override {
    std::vector<float>& buf = state(momentum_slot_, index);
    const float lr = opt_.lr, wd = opt_.weight_decay, mu = opt_.momentum;
    for (size_t k = 0; k < p.value.size(); ++k) {
      float g = p.grad[k] + wd * p.value[k];
      if (mu != 0.0f) {
        buf[k] = step_ == 1 ? g : mu * buf[k] + (1.0f - static_cast<float>(opt_.dampening)) * g;
        g = opt_.nesterov ? g + mu * buf[k] : buf[k];
      }
      p.value[k] -= lr * g;
    }
  }

 private:
  size_t momentum_slot_;
};

// torch.optim.Adam / AdamW (decoupled = true):
//   AdamW: p ← p(1 − lr·λ);  Adam: g ← g + λp
//   m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
//   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
class Adam final : public Optimizer {
 public:
  Adam(ParameterList params, OptimizerOptions opt, bool decoupled)
      : Optimizer(std::move(params), opt), decoupled_(decoupled) {
    m_slot_ = add_state();
    v_slot_ = add_state();
  }

 protected:
  void update(size_t index, Parameter& p) override {
    std::vector<float>& m = state(m_slot_, index);
    std::vector<float>& v = state(v_slot_, index);
    const double t = static_cast<double>(step_);
    const float b1 = opt_.beta1, b2 = opt_.beta2, eps = opt_.eps, wd = opt_.weight_decay;
    const float step_size = opt_.lr / (1.0 - std::pow(opt_.beta1, t));
    const float bc2_sqrt = std::sqrt(1.0 - std::pow(opt_.beta2, t));
    const float decay = decoupled_ ? 1.0f - static_cast<float>(opt_.lr) * wd : 1.0f;
    for (size_t k = 0; k < p.value.size(); ++k) {
      const float g = decoupled_ ? p.grad[k] : p.grad[k] + wd * p.value[k];
      p.value[k] *= decay;
      m[k] = b1 * m[k] + (1.0f - b1) * g;
      v[k] = b2 * v[k] + (1.0f - b2) * g * g;
      p.value[k] -= step_size * m[k] / (std::sqrt(v[k]) / bc2_sqrt + eps);
    }
  }

 private:
  bool decoupled_;
  size_t m_slot_, v_slot_;
};

// torch.optim.RAdam (Liu et al. 2020):
//   g ← g + λp;  m, v as Adam;  m̂ = m/(1 − β₁ᵗ)
//   ρ∞ = 2/(1 − β₂) − 1,  ρₜ = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
//   ρₜ > 5: r = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ)),
//           p ← p − lr·m̂·r·√(1 − β₂ᵗ)/(√v + ε)
//   else:   p ← p − lr·m̂   (the variance estimate is not trusted yet)
class RAdam final : public Optimizer {
 public:
  RAdam(ParameterList params, OptimizerOptions opt) : Optimizer(std::move(params), opt) {
    m_slot_ = add_state();
    v_slot_ = add_state();
  }

 protected:
  void update(size_t index, Parameter& p) override {
    std::vector<float>& m = state(m_slot_, index);
    std::vector<float>& v = state(v_slot_, index);
    const double t = static_cast<double>(step_);
    const double bc1 = 1.0 - std::pow(opt_.beta1, t), bc2 = 1.0 - std::pow(opt_.beta2, t);
    const double rho_inf = 2.0 / (1.0 - opt_.beta2) - 1.0;
    const double rho_t = rho_inf - 2.0 * t * std::pow(opt_.beta2, t) / bc2;
    const bool rectify = rho_t > 5.0;
    const double rect = rectify ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                            ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                                : 0.0;
    const float b1 = opt_.beta1, b2 = opt_.beta2, eps = opt_.eps, wd = opt_.weight_decay;
    const float lr = opt_.lr, inv_bc1 = 1.0 / bc1, bc2_sqrt = std::sqrt(bc2);
    const float lr_rect = static_cast<float>(opt_.lr * rect);
    for (size_t k = 0; k < p.value.size(); ++k) {
      const float g = p.grad[k] + wd * p.value[k];
      m[k] = b1 * m[k] + (1.0f - b1) * g;
      v[k] = b2 * v[k] + (1.0f - b2) * g * g;
      const float m_hat = m[k] * inv_bc1;
      if (rectify)
        p.value[k] -= m_hat * lr_rect * (bc2_sqrt / (std::sqrt(v[k]) + eps));
      else
        p.value[k] -= m_hat * lr;
    }
  }

 private:
  size_t m_slot_, v_slot_;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, ParameterList params,
                                          OptimizerOptions opt) {
  if (name == "sgd") return std::make_unique<Sgd>(std::move(params), opt);
  if (name == "adam") return std::make_unique<Adam>(std::move(params), opt, false);
  if (name == "adamw") return std::make_unique<Adam>(std::move(params), opt, true);
  if (name == "radam") return std::make_unique<RAdam>(std::move(params), opt);
  throw std::invalid_argument("unknown optimizer '" + name +
                              "' (expected sgd, adam, adamw or radam)");
}

double clip_grad_norm(const ParameterList& params, double max_norm) {
  double sq = 0.0;
  for (const Parameter* p : params)
    for (float g : p->grad) sq += static_cast<double>(g) * g;
  const double norm = std::sqrt(sq);
  if (!std::isfinite(norm)) return norm;
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0) {
    const float c = static_cast<float>(coef);
    for (Parameter* p : params)
      for (float& g : p->grad) g *= c;
  }
  return norm;
}

}  // namespace eaf
