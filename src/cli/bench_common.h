// Pieces every benchmark shares: kind names, memory readings, growth-rate fits.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attention/attention.h"

namespace eaf {

// "ea6" → EA of Taylor order 6; any other name is an attention kind as it is.
AttentionOptions attention_options_named(const std::string& name, int64_t heads, bool causal);

// A field of /proc/self/status in KiB ("VmHWM:" is the peak resident set), -1 if absent.
int64_t read_status_kib(const char* field);
int64_t mem_available_bytes();

// Least-squares slope of log(y) against log(L): p in y ∝ L^p.
double fitted_exponent(const std::vector<std::pair<int64_t, double>>& pts);

std::string mib(double bytes);

}  // namespace eaf
