#include "attention/attention.h"

#include <stdexcept>

#include "attention/ea_kernels.h"

namespace eaf {

std::unique_ptr<AttentionState> Attention::start(int64_t, int64_t, int64_t) const {
  throw std::invalid_argument("attention kind '" + opt_.kind + "' has no recurrent form");
}

void Attention::step(AttentionState&, const float*, const float*, const float*, float*) const {
  throw std::invalid_argument("attention kind '" + opt_.kind + "' has no recurrent form");
}

const std::vector<std::string>& attention_kinds() {
  static const std::vector<std::string> kinds = {"ea", "sa", "la", "aft_simple", "aft_full"};
  return kinds;
}

void validate_attention_options(const AttentionOptions& opt, int64_t d_model,
                                const std::string& key_prefix) {
  const std::string p = key_prefix.empty() ? "" : key_prefix + ".";
  bool known = false;
  std::string names;
  for (const auto& k : attention_kinds()) {
    known |= k == opt.kind;
    names += (names.empty() ? "" : ", ") + k;
  }
  if (!known)
    throw std::invalid_argument(p + "kind: unknown attention kind '" + opt.kind +
                                "' (expected one of " + names + ")");
  if (opt.kind == "ea") {
    try {
      ea_check_order(opt.order);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(p + "order: " + e.what());
    }
  }
  if (opt.kind == "sa" || opt.kind == "la") {
    if (opt.heads < 1 || d_model % opt.heads != 0)
      throw std::invalid_argument(p + "heads: must divide d_model = " + std::to_string(d_model) +
                                  ", got " + std::to_string(opt.heads));
  }
  if (!(opt.dropout >= 0.0f && opt.dropout < 1.0f))
    throw std::invalid_argument(p + "dropout: must be in [0, 1), got " +
                                std::to_string(opt.dropout));
  if (opt.kind == "aft_full" && opt.max_length < 1)
    throw std::invalid_argument(p + "max_length: aft_full needs the longest sequence length (> 0)");
}

AttentionShape check_attention_inputs(const Tape& t, Var q, Var k, Var v, Var key_mask, bool causal,
                                      const char* kind) {
  const Shape qs = t.shape(q), ks = t.shape(k), vs = t.shape(v);
  const std::string who = std::string(kind) + " attention: ";
  if (qs.rank != 3 || ks.rank != 3 || vs.rank != 3)
    throw std::invalid_argument(who + "q, k, v must be [B, L, D], got " + qs.str() + ", " +
                                ks.str() + ", " + vs.str());
  if (ks != vs)
    throw std::invalid_argument(who + "k " + ks.str() + " and v " + vs.str() + " differ");
  if (qs[0] != ks[0] || qs[2] != ks[2])
    throw std::invalid_argument(who + "q " + qs.str() + " does not match k " + ks.str());
  if (causal && qs[1] != ks[1])
    throw std::invalid_argument(who + "the causal form needs Lq == Lk, got " + qs.str() + " and " +
                                ks.str());
  if (key_mask.valid()) {
    check_shape((who + "key mask").c_str(), t.shape(key_mask), Shape{ks[0], ks[1]});
    if (t.needs_grad(key_mask))
      throw std::invalid_argument(who + "the key mask must be a constant");
  }
  return {qs[0], qs[1], ks[1], qs[2]};
}

}  // namespace eaf
