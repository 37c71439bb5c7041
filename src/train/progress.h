// Training progress: a one-line bar with rate and ETA on a terminal, plain lines
// otherwise (logs, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace eaf {

class Progress {
 public:
  // mode: "auto" (bar if stdout is a terminal), "bar", "lines", "none".
  Progress(const std::string& mode, int64_t total, std::string label);
  void update(int64_t done, double loss);
  void finish();

 private:
  bool bar_, silent_;
  int64_t total_;
  std::string label_;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string format_seconds(double s);

}  // namespace eaf
