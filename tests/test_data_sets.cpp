// The real data sets in ../shared/data (CI) and the TSL preprocessing rules.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/batch_order.h"
#include "data/forecast_data.h"
#include "data/store.h"
#include "data/uea_preprocess.h"
#include "data_helpers.h"

using namespace eaf;
using namespace eaf::test;
namespace fs = std::filesystem;

namespace {
DataLocations locations_with_cache(const TempDir& cache) {
  DataLocations w = default_locations();
  w.cache_dir = cache.path.string();
  return w;
}

struct UeaExpect {
  std::string name;
  int64_t train, test, dims, max_len, classes;
  float first_value;  // first value of the first TRAIN sample, dimension 1
};
}  // namespace

TEST_CASE("UEA sets: counts, shapes, classes, first values", "[data][real]") {
  const UeaExpect e = GENERATE(UeaExpect{"JapaneseVowels", 270, 370, 12, 29, 9, 1.860936f},
                               UeaExpect{"Handwriting", 150, 850, 3, 152, 26, 0.0f},
                               UeaExpect{"UWaveGestureLibrary", 120, 320, 3, 315, 8, 0.0f});
  if (real_data("UEA/" + e.name + "/" + e.name + "_TRAIN.ts").empty()) return;
  TempDir cache;
  const RawClassification raw = load_uea(e.name, locations_with_cache(cache));
  CHECK(raw.train.num_samples == e.train);
  CHECK(raw.test.num_samples == e.test);
  CHECK(raw.train.channels == e.dims);
  CHECK(std::max(raw.train.max_length, raw.test.max_length) == e.max_len);
  CHECK(static_cast<int64_t>(raw.class_names.size()) == e.classes);
  const UeaPrepared p = prepare_uea(raw, {});
  CHECK(p.train.length == e.max_len);
  CHECK(p.test.length == e.max_len);
  CHECK(p.train.num_classes() == e.classes);
  if (e.name == "JapaneseVowels") {
    CHECK(raw.train.values[0] == e.first_value);
    CHECK(raw.train.values[1] == -0.207383f);  // dimension 2 of the first step
    // Per-class counts from SOURCES.md: 30 each in TRAIN.
    std::vector<int> per_class(9, 0);
    for (int32_t l : raw.train.labels) ++per_class[l];
    for (int c : per_class) CHECK(c == 30);
    CHECK(raw.train.lengths[0] == 20);
  }
  // Independent read of the first sample's first value from the raw text.
  std::ifstream in(real_data("UEA/" + e.name + "/" + e.name + "_TRAIN.ts"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("@data", 0) == 0 || line.rfind("@DATA", 0) == 0) break;
  while (std::getline(in, line) && line.find_first_not_of(" \r") == std::string::npos) {
  }
  CHECK(raw.train.values[0] == std::stof(line.substr(0, line.find(','))));
}

TEST_CASE("UEA per-split standardisation matches an independent computation", "[data][real]") {
  if (real_data("UEA/JapaneseVowels/JapaneseVowels_TRAIN.ts").empty()) return;
  TempDir cache;
  const RawClassification raw = load_uea("JapaneseVowels", locations_with_cache(cache));
  // Mean and sample std (ddof 1) of every channel over all real steps of TRAIN.
  const int64_t C = raw.train.channels;
  std::vector<long double> sum(C, 0), sq(C, 0);
  int64_t n = 0;
  for (int64_t i = 0; i < raw.train.num_samples; ++i)
    for (int64_t l = 0; l < raw.train.lengths[i * C]; ++l, ++n)
      for (int64_t c = 0; c < C; ++c)
        sum[c] += raw.train.values[(i * raw.train.max_length + l) * C + c];
  for (int64_t i = 0; i < raw.train.num_samples; ++i)
    for (int64_t l = 0; l < raw.train.lengths[i * C]; ++l)
      for (int64_t c = 0; c < C; ++c) {
        const long double d = raw.train.values[(i * raw.train.max_length + l) * C + c] - sum[c] / n;
        sq[c] += d * d;
      }
  for (const std::string mode : {"per_split", "train_stats"}) {
    const UeaPrepared p = prepare_uea(raw, {mode, "auto"});
    for (int64_t c = 0; c < C; ++c) {
      CHECK(p.train_mean[c] == Approx(double(sum[c] / n)).epsilon(1e-12));
      CHECK(p.train_std[c] == Approx(double(std::sqrt(sq[c] / (n - 1)))).epsilon(1e-12));
    }
    if (mode == "train_stats")
      CHECK(p.test_mean == p.train_mean);
    else
      CHECK(p.test_mean != p.train_mean);
    // The padded first sample: 20 real steps then zeros, mask 1 then 0.
    CHECK(p.train.mask[19] == 1.0f);
    CHECK(p.train.mask[20] == 0.0f);
    CHECK(p.train.values[20 * C] == 0.0f);
    CHECK(p.train.values[0] ==
          Approx((raw.train.values[0] - p.train_mean[0]) / p.train_std[0]).epsilon(1e-5));
  }
}

TEST_CASE("UEA preprocessing rules on fixtures: interpolation, subsampling, instance norm",
          "[data]") {
  TempDir dir;
  SECTION("missing values are interpolated linearly, edges extended") {
    const std::string head = "@dimensions 2\n@equalLength false\n@classLabel true a\n@data\n";
    const auto train = dir.write("I_TRAIN.ts", head + "?,2,?,6,?:1,2,3,4,5:a\n1,1:1,1:a\n");
    const auto test = dir.write("I_TEST.ts", head + "1:1:a\n");
    const UeaPrepared p = prepare_uea(parse_uea(train, test), {"none", "off"});
    // dimension 1 of sample 1: ?,2,?,6,? → 2,2,4,6,6
    std::vector<float> got;
    for (int l = 0; l < 5; ++l) got.push_back(p.train.values[l * 2]);
    CHECK(got == std::vector<float>{2, 2, 4, 6, 6});
    CHECK(p.interpolated_values == 3);
    CHECK(p.train.length == 5);
  }
  SECTION("ragged dimensions longer than 256 are subsampled by 2; L follows dimension 1") {
    std::ostringstream s;
    s << "@dimensions 2\n@equalLength false\n@classLabel true a\n@data\n";
    for (int i = 0; i < 300; ++i) s << (i ? "," : "") << i;  // 300 values → 150
    s << ":";
    for (int i = 0; i < 200; ++i) s << (i ? "," : "") << -i;  // 200 values, ≤ 256: kept
    s << ":a\n";
    const auto train = dir.write("S_TRAIN.ts", s.str());
    const auto test =
        dir.write("S_TEST.ts", "@dimensions 2\n@classLabel true a\n@data\n1,2:3,4:a\n");
    const UeaPrepared p = prepare_uea(parse_uea(train, test), {"none", "off"});
    // Frame length = max(150, 200) = 200, but TSL's L is the first dimension's length.
    CHECK(p.train.length == 150);
    CHECK(p.train.values[1 * 2 + 0] == 2.0f);   // y[::2]: 0, 2, 4, ...
    CHECK(p.train.values[1 * 2 + 1] == -1.0f);  // second dimension not subsampled
  }
  SECTION("EthanolConcentration-style instance normalisation") {
    const std::string head = "@dimensions 2\n@classLabel true a\n@data\n";
    const auto train = dir.write("E_TRAIN.ts", head + "1,2,3:5,5,9:a\n");
    const auto test = dir.write("E_TEST.ts", head + "1,2,3:5,5,9:a\n");
    const UeaPrepared p = prepare_uea(parse_uea(train, test), {"none", "on"});
    CHECK(p.instance_normalised);
    // Time means 2 and 19/3; centred rows (−1, −4/3), (0, −4/3), (1, 8/3); each row
    // divided by √(var over its 2 channels + 1e-5).
    const double rows[3][2] = {{-1, -4.0 / 3}, {0, -4.0 / 3}, {1, 8.0 / 3}};
    for (int l = 0; l < 3; ++l) {
      const double mu = (rows[l][0] + rows[l][1]) / 2;
      const double var =
          ((rows[l][0] - mu) * (rows[l][0] - mu) + (rows[l][1] - mu) * (rows[l][1] - mu)) / 2;
      for (int c = 0; c < 2; ++c)
        CHECK(p.train.values[l * 2 + c] ==
              Approx(rows[l][c] / std::sqrt(var + 1e-5)).epsilon(1e-5));
    }
  }
  CHECK_THROWS_WITH(prepare_uea(RawClassification{}, {"zscore", "auto"}),
                    Catch::Contains("normalize"));
}

TEST_CASE("ETT and traffic: window counts per split from the TSL formulas", "[data][real]") {
  struct Expect {
    std::string file;
    int64_t rows, cols;
    double first;
  };
  const Expect e = GENERATE(Expect{"ETT-small/ETTh2.csv", 17420, 7, 41.13000106811523},
                            Expect{"ETT-small/ETTh1.csv", 17420, 7, 5.827000141143799},
                            Expect{"traffic/traffic20.csv", 17544, 21, 0.0048});
  if (real_data(e.file).empty()) return;
  TempDir cache;
  const RawForecast raw = load_forecast(e.file, locations_with_cache(cache));
  CHECK(raw.table.rows() == e.rows);
  CHECK(raw.table.cols() == e.cols);
  CHECK(raw.table.values[0] == e.first);
  const bool ett = e.file.find("ETT") != std::string::npos;
  for (int64_t pred : {96, 192, 336, 720}) {
    ForecastOptions o;
    o.pred_len = pred;
    const ForecastData d = prepare_forecast(raw, o);
    const int64_t s = 96;
    int64_t train_rows, val_rows, test_rows;
    if (ett) {
      train_rows = 12 * 30 * 24, val_rows = 4 * 30 * 24 + s, test_rows = 4 * 30 * 24 + s;
    } else {
      const int64_t n = e.rows, n_train = n * 7 / 10, n_test = n * 2 / 10;
      train_rows = n_train, val_rows = n - n_train - n_test + s, test_rows = n_test + s;
    }
    INFO(e.file << " pred_len " << pred);
    CHECK(d.train.num_windows() == train_rows - s - pred + 1);
    CHECK(d.val.num_windows() == val_rows - s - pred + 1);
    CHECK(d.test.num_windows() == test_rows - s - pred + 1);
    if (ett && pred == 96) {
      CHECK(d.train.num_windows() == 8449);
      CHECK(d.val.num_windows() == 2785);
      CHECK(d.test.num_windows() == 2785);
    }
    if (!ett && pred == 96) {  // 17544 rows: 12280 / 1756 / 3508 (int(0.7n), rest, int(0.2n))
      CHECK(d.train.num_windows() == 12089);
      CHECK(d.val.num_windows() == 1661);
      CHECK(d.test.num_windows() == 3413);
    }
  }
  // custom moves the target last; ETT keeps the file order (OT is last there anyway)
  const ForecastData d = prepare_forecast(raw, {});
  CHECK(d.columns.back() == "OT");
  CHECK(d.target_index == e.cols - 1);
}

TEST_CASE("ETTh2 scaler statistics match an independent computation; windows and time features",
          "[data][real]") {
  const std::string path = real_data("ETT-small/ETTh2.csv");
  if (path.empty()) return;
  // Independent: parse the CSV with streams and compute in long double.
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<long double>> cols(7);
  int64_t row = 0;
  while (std::getline(in, line) && row < 8640) {
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, ',');
    for (int c = 0; c < 7; ++c) {
      std::getline(ss, cell, ',');
      cols[c].push_back(std::stold(cell));
    }
    ++row;
  }
  TempDir cache;
  const RawForecast raw = load_forecast("ETT-small/ETTh2.csv", locations_with_cache(cache));
  ForecastOptions o;
  const ForecastData d = prepare_forecast(raw, o);
  for (int c = 0; c < 7; ++c) {
    long double m = 0, v = 0;
    for (long double x : cols[c]) m += x;
    m /= cols[c].size();
    for (long double x : cols[c]) v += (x - m) * (x - m);
    CHECK(d.mean[c] == Approx(double(m)).epsilon(1e-12));
    CHECK(d.std[c] == Approx(double(std::sqrt(v / cols[c].size()))).epsilon(1e-12));
  }
  // Window 0 of val starts seq_len rows before the split border.
  std::vector<float> x(96 * 7), y(144 * 7), mx(96 * 4), my(144 * 4);
  d.val.window(0, x.data(), y.data(), mx.data(), my.data());
  CHECK(x[0] == Approx((raw.table.values[(8640 - 96) * 7] - d.mean[0]) / d.std[0]));
  CHECK(y[0] == Approx((raw.table.values[(8640 - 48) * 7] - d.mean[0]) / d.std[0]));
  // Row 8640 − 96 = 8544 is 2017-06-22 00:00 (a Thursday, day 173 of the year).
  CHECK(mx[0] == Approx(0.0 / 23 - 0.5));
  CHECK(mx[1] == Approx(3.0 / 6 - 0.5));
  CHECK(mx[2] == Approx(21.0 / 30 - 0.5));
  CHECK(mx[3] == Approx(172.0 / 365 - 0.5));
  // S: only the target; MS: all columns with the target last.
  o.features = "S";
  CHECK(prepare_forecast(raw, o).columns == std::vector<std::string>{"OT"});
  o.features = "MS";
  CHECK(prepare_forecast(raw, o).train.channels == 7);
  o.target = "nope";
  CHECK_THROWS_WITH(prepare_forecast(raw, o), Catch::Contains("target column 'nope'"));
}

TEST_CASE("HDF5 round trip gives identical arrays", "[data][h5]") {
  TempDir dir;
  const std::string head = "@dimensions 2\n@equalLength false\n@classLabel true x y\n@data\n";
  const auto train = dir.write("R_TRAIN.ts", head + "1,2,?:3,4:x\n5:6,7,8:y\n");
  const auto test = dir.write("R_TEST.ts", head + "9:10:y\n");
  const RawClassification a = parse_uea(train, test);
  write_h5(a, (dir.path / "r.h5").string());
  CHECK(h5_kind((dir.path / "r.h5").string()) == "uea_classification");
  const RawClassification b = read_classification_h5((dir.path / "r.h5").string());
  CHECK(b.class_names == a.class_names);
  CHECK(b.train.lengths == a.train.lengths);
  CHECK(b.train.labels == a.train.labels);
  CHECK(b.test.labels == a.test.labels);
  REQUIRE(b.train.values.size() == a.train.values.size());
  for (size_t i = 0; i < a.train.values.size(); ++i)  // NaN-aware identity
    CHECK((a.train.values[i] == b.train.values[i] ||
           (std::isnan(a.train.values[i]) && std::isnan(b.train.values[i]))));
  CHECK(b.sha256 == a.sha256);

  const auto csv =
      dir.write("f.csv", "date,a,OT\n2016-07-01 00:00:00,1.25,2\n2016-07-01 01:00:00,3,4\n");
  const RawForecast f = parse_forecast(csv);
  write_h5(f, (dir.path / "f.h5").string());
  const RawForecast g = read_forecast_h5((dir.path / "f.h5").string());
  CHECK(g.table.values == f.table.values);
  CHECK(g.table.timestamps == f.table.timestamps);
  CHECK(g.table.columns == f.table.columns);
  CHECK(g.sha256 == f.sha256);
  // Wrong kind and foreign files are refused with the path in the message.
  CHECK_THROWS_WITH(read_forecast_h5((dir.path / "r.h5").string()), Catch::Contains("r.h5"));
  const auto junk = dir.write("junk.h5", "not hdf5");
  CHECK_THROWS_WITH(read_forecast_h5(junk), Catch::Contains("junk.h5"));
}

TEST_CASE("the HDF5 cache is reused while the source is unchanged and rebuilt when it changes",
          "[data][h5]") {
  TempDir data, cache;
  const std::string head = "@dimensions 1\n@classLabel true a b\n@data\n";
  data.write("UEA/C/C_TRAIN.ts", head + "1,2:a\n3,4:b\n");
  data.write("UEA/C/C_TEST.ts", head + "5,6:a\n");
  const DataLocations where{data.path.string(), cache.path.string()};
  const RawClassification first = load_uea("C", where);
  CHECK_FALSE(last_load_was_cached());
  CHECK(fs::exists(cache.path / "UEA_C.h5"));
  const RawClassification second = load_uea("C", where);
  CHECK(last_load_was_cached());
  CHECK(second.train.values == first.train.values);
  data.write("UEA/C/C_TRAIN.ts", head + "1,2:a\n3,40:b\n");  // the source changes
  const RawClassification third = load_uea("C", where);
  CHECK_FALSE(last_load_was_cached());
  CHECK(third.train.values[3] == 40.0f);
  CHECK(third.sha256[0] != first.sha256[0]);
  CHECK(load_uea("C", where).train.values[3] == 40.0f);
  CHECK(last_load_was_cached());
  CHECK_THROWS_WITH(load_uea("Missing", where), Catch::Contains("Missing_TRAIN.ts"));
}

TEST_CASE("batch order: seeded shuffles, the last partial batch kept unless dropped", "[data]") {
  BatchOrder eval(10, 4, false, false, 1);
  eval.start_epoch(1);
  REQUIRE(eval.num_batches() == 3);
  CHECK(eval.batch(2).size() == 2);
  CHECK(eval.batch(2)[1] == 9);
  BatchOrder drop(10, 4, true, true, 1);
  CHECK(drop.num_batches() == 2);
  BatchOrder a(10, 4, true, false, 7), b(10, 4, true, false, 7);
  a.start_epoch(3);
  b.start_epoch(3);
  std::vector<int64_t> va, vb;
  for (int64_t i = 0; i < a.num_batches(); ++i)
    for (int64_t x : a.batch(i)) va.push_back(x);
  for (int64_t i = 0; i < b.num_batches(); ++i)
    for (int64_t x : b.batch(i)) vb.push_back(x);
  CHECK(va == vb);
  std::vector<int64_t> sorted = va;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 10; ++i) CHECK(sorted[i] == i);
  b.start_epoch(4);
  std::vector<int64_t> vc;
  for (int64_t i = 0; i < b.num_batches(); ++i)
    for (int64_t x : b.batch(i)) vc.push_back(x);
  CHECK(vc != va);
}
