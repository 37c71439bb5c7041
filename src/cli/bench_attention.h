// `eaformer bench attention`: forward+backward time and peak memory of every attention
// kind against sequence length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eaf {

struct AttentionBenchOptions {
  std::vector<std::string> kinds = {"ea2", "ea6", "sa", "la", "aft_simple", "aft_full"};
  std::vector<int64_t> lengths = {256, 512, 1024, 2048, 4096, 8192};
  int64_t batch = 4, d_model = 128, heads = 8;
  bool causal = false;
  int reps = 3;             // timed repetitions after one warm-up (the median is reported)
  double max_seconds = 60;  // a kind stops growing L once one step takes longer
  int threads = 0;
  std::string markdown_out;  // optional file for the table
  // Internal: measure exactly one (kind, length) in this process and print one line.
  bool single = false;
};

int run_attention_bench(const AttentionBenchOptions& opt, const std::string& self_exe);

}  // namespace eaf
