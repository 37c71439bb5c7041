// `eaformer sweep`: a grid over config keys, one run per combination (and seed), with
// one summary table. Finished runs (final.json present) are skipped, so an interrupted
// sweep continues where it stopped.
#pragma once

#include <string>
#include <vector>

namespace eaf {

struct SweepOptions {
  std::string config;
  std::vector<std::string> sets;  // fixed overrides
  std::vector<std::string> grid;  // "key=[v1,v2,...]"
  int64_t seeds = 1;
  std::string out_dir;  // default: output.dir/sweep_<name>
};

// Returns the sweep directory (it holds summary.md, summary.csv and one run per combination).
std::string run_sweep(const SweepOptions& opt);

}  // namespace eaf
