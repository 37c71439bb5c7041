#include "cli/bench_common.h"

#include <cmath>
#include <cstdio>
#include <fstream>

namespace eaf {

AttentionOptions attention_options_named(const std::string& name, int64_t heads, bool causal) {
  AttentionOptions o;
  o.kind = name;
  if (name.rfind("ea", 0) == 0 && name.size() > 2) {
    o.kind = "ea";
    o.order = std::stoi(name.substr(2));
  }
  o.causal = causal;
  o.heads = heads;
  return o;
}

int64_t read_status_kib(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(std::string(field).size()));
  return -1;
}

int64_t mem_available_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  int64_t kib;
  while (f >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return -1;
}

double fitted_exponent(const std::vector<std::pair<int64_t, double>>& pts) {
  if (pts.size() < 2) return std::nan("");
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (auto [L, y] : pts) {
    const double x = std::log(double(L)), ly = std::log(y);
    sx += x, sy += ly, sxx += x * x, sxy += x * ly;
  }
  const double n = double(pts.size());
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", bytes / (1024.0 * 1024.0));
  return buf;
}

}  // namespace eaf
