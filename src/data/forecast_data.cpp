#include "data/forecast_data.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "data/data_error.h"

namespace eaf {

int64_t time_feature_count(const std::string& freq) {
  if (freq == "h") return 4;
  if (freq == "t") return 5;
  throw std::invalid_argument("freq: expected h or t, got '" + freq + "'");
}

void time_features(int64_t seconds, const std::string& freq, float* out) {
  const CivilTime c = civil_from_timestamp(seconds);
  int k = 0;
  if (freq == "t") out[k++] = static_cast<float>(c.minute / 59.0 - 0.5);
  out[k++] = static_cast<float>(c.hour / 23.0 - 0.5);
  out[k++] = static_cast<float>(c.day_of_week / 6.0 - 0.5);
  out[k++] = static_cast<float>((c.day - 1) / 30.0 - 0.5);
  out[k++] = static_cast<float>((c.day_of_year - 1) / 365.0 - 0.5);
}

void ForecastSplit::window(int64_t i, float* seq_x, float* seq_y, float* mark_x,
                           float* mark_y) const {
  const int64_t r = i + seq_len - label_len, ny = label_len + pred_len;
  std::memcpy(seq_x, values.data() + i * channels, sizeof(float) * seq_len * channels);
  std::memcpy(seq_y, values.data() + r * channels, sizeof(float) * ny * channels);
  std::memcpy(mark_x, marks.data() + i * time_features, sizeof(float) * seq_len * time_features);
  std::memcpy(mark_y, marks.data() + r * time_features, sizeof(float) * ny * time_features);
}

ForecastData prepare_forecast(const RawForecast& raw, const ForecastOptions& opt) {
  const CsvTable& t = raw.table;
  if (opt.seq_len < 1 || opt.pred_len < 1 || opt.label_len < 0 || opt.label_len > opt.seq_len)
    throw std::invalid_argument("need seq_len ≥ 1, pred_len ≥ 1 and 0 ≤ label_len ≤ seq_len");
  if (opt.features != "M" && opt.features != "S" && opt.features != "MS")
    throw std::invalid_argument("features: expected M, S or MS, got '" + opt.features + "'");
  const int64_t target = t.column_index(opt.target);
  if (target < 0) throw DataError(raw.source, 0, "target column '" + opt.target + "' not found");
  ForecastData d;
  d.split_scheme = opt.split;
  if (d.split_scheme == "auto") {
    d.split_scheme = raw.name.rfind("ETTh", 0) == 0   ? "ett_hour"
                     : raw.name.rfind("ETTm", 0) == 0 ? "ett_minute"
                                                      : "custom";
  }
  // Column order: ETT keeps the file's; custom moves the target last.
  std::vector<int64_t> order;
  if (opt.features == "S") {
    order = {target};
  } else {
    for (int64_t c = 0; c < t.cols(); ++c)
      if (d.split_scheme != "custom" || c != target) order.push_back(c);
    if (d.split_scheme == "custom") order.push_back(target);
  }
  for (int64_t c : order) d.columns.push_back(t.columns[c]);
  d.target_index = std::find(order.begin(), order.end(), target) - order.begin();

  const int64_t n = t.rows(), s = opt.seq_len;
  int64_t b1[3], b2[3];
  if (d.split_scheme == "ett_hour" || d.split_scheme == "ett_minute") {
    const int64_t per_month = 30 * 24 * (d.split_scheme == "ett_minute" ? 4 : 1);
    const int64_t tr = 12 * per_month, va = 4 * per_month;
    b1[0] = 0, b1[1] = tr - s, b1[2] = tr + va - s;
    b2[0] = tr, b2[1] = tr + va, b2[2] = tr + 2 * va;
  } else if (d.split_scheme == "custom") {
    const int64_t n_train = static_cast<int64_t>(n * 0.7), n_test = static_cast<int64_t>(n * 0.2);
    const int64_t n_val = n - n_train - n_test;
    b1[0] = 0, b1[1] = n_train - s, b1[2] = n - n_test - s;
    b2[0] = n_train, b2[1] = n_train + n_val, b2[2] = n;
  } else {
    throw std::invalid_argument("split: expected auto, ett_hour, ett_minute or custom, got '" +
                                d.split_scheme + "'");
  }
  for (int k = 0; k < 3; ++k) {
    if (b1[k] < 0 || b2[k] > n || b2[k] - b1[k] < s + opt.pred_len)
      throw DataError(raw.source, 0,
                      "too few rows (" + std::to_string(n) + ") for the " + d.split_scheme +
                          " split with seq_len " + std::to_string(s) + " and pred_len " +
                          std::to_string(opt.pred_len));
    d.borders[k][0] = b1[k], d.borders[k][1] = b2[k];
  }

  const int64_t C = static_cast<int64_t>(order.size());
  d.mean.assign(C, 0.0);
  d.std.assign(C, 1.0);
  if (opt.scale) {
    // sklearn StandardScaler on the train rows: population std; a constant column gets
    // scale 1, as sklearn does.
    const int64_t nt = b2[0] - b1[0];
    for (int64_t c = 0; c < C; ++c) {
      double m = 0, v = 0;
      for (int64_t r = b1[0]; r < b2[0]; ++r) m += t.values[r * t.cols() + order[c]];
      m /= double(nt);
      for (int64_t r = b1[0]; r < b2[0]; ++r) {
        const double x = t.values[r * t.cols() + order[c]] - m;
        v += x * x;
      }
      const double sd = std::sqrt(v / double(nt));
      d.mean[c] = m;
      d.std[c] = sd > 0 ? sd : 1.0;
    }
  }
  const int64_t F = time_feature_count(opt.freq);
  ForecastSplit* splits[3] = {&d.train, &d.val, &d.test};
  for (int k = 0; k < 3; ++k) {
    ForecastSplit& sp = *splits[k];
    sp.rows = b2[k] - b1[k];
    sp.channels = C;
    sp.time_features = F;
    sp.seq_len = opt.seq_len, sp.label_len = opt.label_len, sp.pred_len = opt.pred_len;
    sp.values.resize(sp.rows * C);
    sp.marks.resize(sp.rows * F);
    for (int64_t r = 0; r < sp.rows; ++r) {
      const int64_t row = b1[k] + r;
      for (int64_t c = 0; c < C; ++c)
        sp.values[r * C + c] =
            static_cast<float>((t.values[row * t.cols() + order[c]] - d.mean[c]) / d.std[c]);
      time_features(t.timestamps[row], opt.freq, sp.marks.data() + r * F);
    }
  }
  return d;
}

}  // namespace eaf
