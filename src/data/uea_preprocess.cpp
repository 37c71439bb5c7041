#include "data/uea_preprocess.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace eaf {

namespace {

constexpr int64_t kSubsampleLimit = 256;
constexpr double kStdEps = std::numeric_limits<double>::epsilon();

// One sample as a dense [len, C] frame in double.
struct Frame {
  int64_t len = 0;
  std::vector<double> x;
};

// Steps 1–2 for one split.
std::vector<Frame> build_frames(const RawClassificationSplit& s, int64_t& interpolated,
                                int64_t& first_dim_max) {
  const int64_t C = s.channels;
  bool ragged = false;  // a sample whose dimensions differ in length
  for (int64_t i = 0; i < s.num_samples && !ragged; ++i)
    for (int64_t c = 1; c < C; ++c) ragged |= s.lengths[i * C + c] != s.lengths[i * C];
  std::vector<Frame> frames(s.num_samples);
  first_dim_max = 0;
  for (int64_t i = 0; i < s.num_samples; ++i) {
    std::vector<int64_t> len(C), step(C, 1);
    for (int64_t c = 0; c < C; ++c) {
      len[c] = s.lengths[i * C + c];
      if (ragged && len[c] > kSubsampleLimit) {
        step[c] = 2;
        len[c] = (len[c] + 1) / 2;
      }
    }
    Frame& f = frames[i];
    f.len = *std::max_element(len.begin(), len.end());
    first_dim_max = std::max(first_dim_max, len[0]);
    f.x.assign(f.len * C, std::nan(""));
    for (int64_t c = 0; c < C; ++c)
      for (int64_t l = 0; l < len[c]; ++l)
        f.x[l * C + c] = s.values[(i * s.max_length + l * step[c]) * C + c];
    // Linear interpolation per column, edges extended.
    for (int64_t c = 0; c < C; ++c) {
      int64_t prev = -1;
      for (int64_t l = 0; l <= f.len; ++l) {
        const bool valid = l < f.len && !std::isnan(f.x[l * C + c]);
        if (l < f.len && !valid) continue;
        // Fill the gap (prev, l).
        for (int64_t g = prev + 1; g < l; ++g) {
          ++interpolated;
          double v;
          if (prev < 0 && l >= f.len)
            v = 0.0;  // no valid value in the column
          else if (prev < 0)
            v = f.x[l * C + c];
          else if (l >= f.len)
            v = f.x[prev * C + c];
          else {
            const double w = double(g - prev) / double(l - prev);
            v = f.x[prev * C + c] * (1 - w) + f.x[l * C + c] * w;
          }
          f.x[g * C + c] = v;
        }
        prev = l;
      }
    }
  }
  return frames;
}

void column_stats(const std::vector<Frame>& frames, int64_t C, std::vector<double>& mean,
                  std::vector<double>& std) {
  mean.assign(C, 0.0);
  std.assign(C, 0.0);
  int64_t n = 0;
  for (const Frame& f : frames) {
    n += f.len;
    for (int64_t l = 0; l < f.len; ++l)
      for (int64_t c = 0; c < C; ++c) mean[c] += f.x[l * C + c];
  }
  for (double& m : mean) m /= double(n);
  for (const Frame& f : frames)
    for (int64_t l = 0; l < f.len; ++l)
      for (int64_t c = 0; c < C; ++c)
        std[c] += (f.x[l * C + c] - mean[c]) * (f.x[l * C + c] - mean[c]);
  for (double& s : std) s = n > 1 ? std::sqrt(s / double(n - 1)) : 0.0;
}

void standardise(std::vector<Frame>& frames, int64_t C, const std::vector<double>& mean,
                 const std::vector<double>& std) {
  for (Frame& f : frames)
    for (int64_t l = 0; l < f.len; ++l)
      for (int64_t c = 0; c < C; ++c)
        f.x[l * C + c] = (f.x[l * C + c] - mean[c]) / (std[c] + kStdEps);
}

void instance_normalise(Frame& f, int64_t C) {
  for (int64_t c = 0; c < C; ++c) {
    double m = 0;
    for (int64_t l = 0; l < f.len; ++l) m += f.x[l * C + c];
    m /= double(f.len);
    for (int64_t l = 0; l < f.len; ++l) f.x[l * C + c] -= m;
  }
  for (int64_t l = 0; l < f.len; ++l) {
    double mu = 0, var = 0;
    for (int64_t c = 0; c < C; ++c) mu += f.x[l * C + c];
    mu /= double(C);
    for (int64_t c = 0; c < C; ++c) var += (f.x[l * C + c] - mu) * (f.x[l * C + c] - mu);
    const double sd = std::sqrt(var / double(C) + 1e-5);
    for (int64_t c = 0; c < C; ++c) f.x[l * C + c] /= sd;
  }
}

ClassificationSet pad(const std::vector<Frame>& frames, const RawClassificationSplit& s,
                      const std::vector<std::string>& class_names, int64_t L) {
  ClassificationSet out;
  const int64_t C = s.channels;
  out.num_samples = s.num_samples;
  out.length = L;
  out.channels = C;
  out.values.assign(s.num_samples * L * C, 0.0f);
  out.mask.assign(s.num_samples * L, 0.0f);
  out.labels = s.labels;
  out.class_names = class_names;
  for (int64_t i = 0; i < s.num_samples; ++i) {
    const int64_t n = std::min(frames[i].len, L);
    for (int64_t l = 0; l < n; ++l) {
      out.mask[i * L + l] = 1.0f;
      for (int64_t c = 0; c < C; ++c)
        out.values[(i * L + l) * C + c] = static_cast<float>(frames[i].x[l * C + c]);
    }
  }
  return out;
}

}  // namespace

UeaPrepared prepare_uea(const RawClassification& raw, const UeaPreprocessOptions& opt) {
  if (opt.normalize != "per_split" && opt.normalize != "train_stats" && opt.normalize != "none")
    throw std::invalid_argument("normalize: expected per_split, train_stats or none, got '" +
                                opt.normalize + "'");
  if (opt.instance_norm != "auto" && opt.instance_norm != "on" && opt.instance_norm != "off")
    throw std::invalid_argument("instance_norm: expected auto, on or off, got '" +
                                opt.instance_norm + "'");
  const int64_t C = raw.train.channels;
  UeaPrepared p;
  int64_t train_len = 0, test_len = 0;
  auto train = build_frames(raw.train, p.interpolated_values, train_len);
  auto test = build_frames(raw.test, p.interpolated_values, test_len);
  column_stats(train, C, p.train_mean, p.train_std);
  column_stats(test, C, p.test_mean, p.test_std);
  if (opt.normalize == "train_stats") p.test_mean = p.train_mean, p.test_std = p.train_std;
  if (opt.normalize != "none") {
    standardise(train, C, p.train_mean, p.train_std);
    standardise(test, C, p.test_mean, p.test_std);
  }
  p.instance_normalised =
      opt.instance_norm == "on" ||
      (opt.instance_norm == "auto" && raw.name.find("EthanolConcentration") != std::string::npos);
  if (p.instance_normalised) {
    for (Frame& f : train) instance_normalise(f, C);
    for (Frame& f : test) instance_normalise(f, C);
  }
  const int64_t L = std::max(train_len, test_len);
  p.train = pad(train, raw.train, raw.class_names, L);
  p.test = pad(test, raw.test, raw.class_names, L);
  return p;
}

}  // namespace eaf
