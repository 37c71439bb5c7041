// Attention kinds by name: the one place that maps a config's `kind` to a class.
#include "attention/aft.h"
#include "attention/attention.h"
#include "attention/ea.h"
#include "attention/la.h"
#include "attention/sa.h"

namespace eaf {

std::unique_ptr<Attention> make_attention(const AttentionOptions& opt, int64_t d_model, Rng& rng) {
  validate_attention_options(opt, d_model, "attention");
  if (opt.kind == "ea") return std::make_unique<ElementwiseAttention>(opt);
  if (opt.kind == "sa") return std::make_unique<SoftmaxAttention>(opt);
  if (opt.kind == "la") return std::make_unique<LinearAttention>(opt);
  if (opt.kind == "aft_simple") return std::make_unique<AftSimple>(opt);
  return std::make_unique<AftFull>(opt, rng);  // the only kind left after validation
}

}  // namespace eaf
