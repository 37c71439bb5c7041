// `eaformer bench model` and `eaformer bench generate`: the cost study of issue 7 at
// the level of a whole model, one configuration per process (experiments/cost_study.py
// sweeps them and runs the PyTorch reference beside them).
//
//   bench model     training steps/s and peak memory of the TSL classifier at length L;
//                   with --export, one dropout-free step's input, weights, logits, loss
//                   and gradients to an HDF5 file for scripts/torch_reference.py check
//   bench generate  per-token latency of the causal model (models/causal_model.h),
//                   positions 1 … P, from recurrent state (EA, LA, AFT) or KV cache (SA)
#pragma once

#include <cstdint>
#include <string>

namespace eaf {

struct ModelBenchOptions {
  std::string kind = "ea6";  // sa | la | aft_simple | ea<order>
  int64_t length = 512, batch = 4, d_model = 128, d_ff = 256, layers = 3, heads = 8;
  int64_t channels = 3, classes = 4;
  float dropout = 0.1f;  // TSL's; SA's attention probabilities get it too
  int steps = 5;         // timed training steps after two warm-up steps
  int threads = 0;
  std::string export_path;
  int64_t positions = 16384;  // generate: positions to produce
};

int run_model_bench(const ModelBenchOptions& opt);
int run_generation_bench(const ModelBenchOptions& opt);

}  // namespace eaf
