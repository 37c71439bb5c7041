#include "train/progress.h"

#include <unistd.h>

#include <cstdio>

namespace eaf {

std::string format_seconds(double s) {
  const int64_t t = static_cast<int64_t>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(t / 3600),
                  (long long)(t / 60 % 60), (long long)(t % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)(t / 60), (long long)(t % 60));
  return buf;
}

Progress::Progress(const std::string& mode, int64_t total, std::string label)
    : bar_(mode == "bar" || (mode == "auto" && isatty(fileno(stdout)))),
      silent_(mode == "none"),
      total_(total),
      label_(std::move(label)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(int64_t done, double loss) {
  if (silent_ || !bar_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = done / std::max(elapsed, 1e-9);
  const int width = 24, filled = static_cast<int>(width * done / std::max<int64_t>(total_, 1));
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::printf("\r%s [%s] %lld/%lld  %.1f it/s  ETA %s  loss %.4f   ", label_.c_str(), bar.c_str(),
              (long long)done, (long long)total_, rate,
              format_seconds((total_ - done) / std::max(rate, 1e-9)).c_str(), loss);
  std::fflush(stdout);
}

void Progress::finish() {
  if (bar_ && !silent_) std::printf("\r%*s\r", 100, "");
}

}  // namespace eaf
