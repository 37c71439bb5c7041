// Forecasting data exactly as Time-Series-Library's Dataset_ETT_hour / _minute /
// Dataset_Custom (DESIGN.md §2):
//  * columns: `custom` moves the target to the last column (date + others + target);
//    features M uses every column, S only the target, MS every column (the model's
//    loss then reads the last one).
//  * splits, with val/test starting seq_len rows early so their first window has a
//    full history:
//      ett_hour   train [0, 8640), val [8640 − s, 11520), test [11520 − s, 14400)
//      ett_minute the same ×4
//      custom     n_train = ⌊0.7 n⌋, n_test = ⌊0.2 n⌋, n_val = n − n_train − n_test;
//                 train [0, n_train), val [n_train − s, n_train + n_val), test [n − n_test − s, n)
//  * StandardScaler fitted on the train rows (ddof 0), applied to all rows.
//  * window i of a split: x = rows [i, i+s), y = rows [i+s−label, i+s+pred), with their
//    time features; a split has rows − s − pred + 1 windows.
//  * timeF features scaled to [−0.5, 0.5]: freq h → hour/23, weekday/6, (day−1)/30,
//    (yearday−1)/365 (each − 0.5); freq t adds minute/59 first.
#pragma once

#include <string>
#include <vector>

#include "data/store.h"

namespace eaf {

struct ForecastOptions {
  int64_t seq_len = 96, label_len = 48, pred_len = 96;
  std::string features = "M";  // M | S | MS
  std::string target = "OT";
  std::string split = "auto";  // auto (ETTh* → ett_hour, ETTm* → ett_minute, else custom)
  std::string freq = "h";      // h | t
  bool scale = true;
};

struct ForecastSplit {
  int64_t rows = 0, channels = 0, time_features = 0;
  std::vector<float> values;  // [rows, channels], scaled
  std::vector<float> marks;   // [rows, time_features]
  int64_t seq_len = 0, label_len = 0, pred_len = 0;

  int64_t num_windows() const { return std::max<int64_t>(0, rows - seq_len - pred_len + 1); }
  // seq_x: [seq_len, C], seq_y: [label_len + pred_len, C], marks likewise with F columns.
  void window(int64_t i, float* seq_x, float* seq_y, float* mark_x, float* mark_y) const;
};

struct ForecastData {
  std::vector<std::string> columns;  // in model order (target last for custom)
  std::string split_scheme;
  ForecastSplit train, val, test;
  std::vector<double> mean, std;  // the scaler
  int64_t target_index = 0;       // of the target within `columns`
  int64_t borders[3][2] = {};     // row ranges [begin, end) of train, val, test
};

ForecastData prepare_forecast(const RawForecast& raw, const ForecastOptions& opt);

// timeF features of one timestamp into out[0..F).
int64_t time_feature_count(const std::string& freq);
void time_features(int64_t seconds, const std::string& freq, float* out);

}  // namespace eaf
