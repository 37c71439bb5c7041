#include "data/store.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "data/data_error.h"
#include "data/h5_file.h"
#include "data/sha256.h"
#include "data/ts_reader.h"

namespace fs = std::filesystem;

namespace eaf {

namespace {

constexpr int64_t kFormatVersion = 1;
thread_local bool g_last_cached = false;

RawClassificationSplit to_split(const TsFile& f, const std::map<std::string, int32_t>& index,
                                bool is_test) {
  RawClassificationSplit s;
  s.num_samples = static_cast<int64_t>(f.samples.size());
  s.channels = f.dimensions;
  for (const TsSample& x : f.samples)
    for (const auto& d : x.dims) s.max_length = std::max<int64_t>(s.max_length, d.size());
  s.values.assign(s.num_samples * s.max_length * s.channels, std::nanf(""));
  s.lengths.resize(s.num_samples * s.channels);
  s.labels.resize(s.num_samples);
  for (int64_t i = 0; i < s.num_samples; ++i) {
    const TsSample& x = f.samples[i];
    auto it = index.find(x.label);
    if (it == index.end())
      throw DataError(f.path, x.line,
                      std::string("class label '") + x.label +
                          "' does not occur in the TRAIN split" +
                          (is_test ? "" : " (internal error)"));
    s.labels[i] = it->second;
    for (int64_t c = 0; c < s.channels; ++c) {
      const auto& series = x.dims[c];
      s.lengths[i * s.channels + c] = static_cast<int64_t>(series.size());
      for (size_t l = 0; l < series.size(); ++l)
        s.values[(i * s.max_length + static_cast<int64_t>(l)) * s.channels + c] = series[l];
    }
  }
  return s;
}

void write_split(H5File& h5, const std::string& g, const RawClassificationSplit& s) {
  h5.create_group(g);
  h5.write(g + "/values", {s.num_samples, s.max_length, s.channels}, s.values.data());
  h5.write(g + "/lengths", {s.num_samples, s.channels}, s.lengths.data());
  h5.write(g + "/labels", {s.num_samples}, s.labels.data());
}

RawClassificationSplit read_split(const H5File& h5, const std::string& g) {
  RawClassificationSplit s;
  const auto dims = h5.dims(g + "/values");
  if (dims.size() != 3) throw DataError(h5.path(), 0, g + "/values must be 3-dimensional");
  s.num_samples = dims[0], s.max_length = dims[1], s.channels = dims[2];
  s.values = h5.read_float(g + "/values");
  s.lengths = h5.read_int64(g + "/lengths");
  s.labels = h5.read_int32(g + "/labels");
  if (static_cast<int64_t>(s.labels.size()) != s.num_samples ||
      static_cast<int64_t>(s.lengths.size()) != s.num_samples * s.channels)
    throw DataError(h5.path(), 0, g + ": labels/lengths do not match values");
  return s;
}

void check_format(const H5File& h5, const std::string& kind) {
  if (h5.attr_string("format") != "eaformer-data")
    throw DataError(h5.path(), 0, "not an eaformer data file (attribute format != eaformer-data)");
  if (h5.attr_int("version", -1) != kFormatVersion)
    throw DataError(h5.path(), 0,
                    "unsupported data file version " + std::to_string(h5.attr_int("version", -1)));
  if (h5.attr_string("kind") != kind)
    throw DataError(h5.path(), 0,
                    "holds '" + h5.attr_string("kind") + "' data, expected '" + kind + "'");
}

bool is_h5(const std::string& name) {
  return fs::path(name).extension() == ".h5";
}

std::string cache_file(const DataLocations& where, const std::string& name) {
  std::string flat = name;
  std::replace(flat.begin(), flat.end(), '/', '_');
  return (fs::path(where.cache_dir) / (flat + ".h5")).string();
}

// True if the cached copy exists and was made from sources with these hashes.
bool cache_matches(const std::string& path, const std::vector<std::string>& sha256) {
  if (!fs::exists(path)) return false;
  try {
    H5File h5(path, H5File::Mode::kRead);
    for (size_t i = 0; i < sha256.size(); ++i)
      if (h5.attr_string("source" + std::to_string(i) + "_sha256") != sha256[i]) return false;
    return h5.attr_int("version", -1) == kFormatVersion;
  } catch (const DataError&) {
    return false;  // unreadable or partial: rebuild it
  }
}

void write_sources(H5File& h5, const std::vector<std::string>& sources,
                   const std::vector<std::string>& sha256) {
  for (size_t i = 0; i < sources.size(); ++i) {
    h5.set_attr("source" + std::to_string(i), fs::path(sources[i]).filename().string());
    h5.set_attr("source" + std::to_string(i) + "_sha256", sha256[i]);
  }
}

std::pair<std::string, std::string> uea_files(const std::string& name, const DataLocations& where) {
  for (const fs::path& dir :
       {fs::path(where.data_dir) / "UEA" / name, fs::path(where.data_dir) / name}) {
    const fs::path train = dir / (name + "_TRAIN.ts"), test = dir / (name + "_TEST.ts");
    if (fs::exists(train) && fs::exists(test)) return {train.string(), test.string()};
  }
  throw DataError((fs::path(where.data_dir) / "UEA" / name).string(), 0,
                  "UEA data set '" + name + "' not found: expected " + name + "_TRAIN.ts and " +
                      name +
                      "_TEST.ts there (set the data directory with --data-dir or EAFORMER_DATA)");
}

}  // namespace

bool last_load_was_cached() {
  return g_last_cached;
}

RawClassification parse_uea(const std::string& train_ts, const std::string& test_ts) {
  const TsFile train = read_ts(train_ts), test = read_ts(test_ts);
  if (train.dimensions != test.dimensions)
    throw DataError(test_ts, 0,
                    "has " + std::to_string(test.dimensions) + " dimensions, TRAIN has " +
                        std::to_string(train.dimensions));
  RawClassification r;
  r.name = train.problem_name.empty() ? fs::path(train_ts).stem().string() : train.problem_name;
  for (const TsSample& s : train.samples) r.class_names.push_back(s.label);
  std::sort(r.class_names.begin(), r.class_names.end());
  r.class_names.erase(std::unique(r.class_names.begin(), r.class_names.end()), r.class_names.end());
  std::map<std::string, int32_t> index;
  for (size_t i = 0; i < r.class_names.size(); ++i)
    index[r.class_names[i]] = static_cast<int32_t>(i);
  r.train = to_split(train, index, false);
  r.test = to_split(test, index, true);
  r.sources = {train_ts, test_ts};
  r.sha256 = {sha256_file(train_ts), sha256_file(test_ts)};
  return r;
}

RawForecast parse_forecast(const std::string& csv) {
  RawForecast r;
  r.name = fs::path(csv).stem().string();
  r.table = read_forecast_csv(csv);
  r.source = csv;
  r.sha256 = sha256_file(csv);
  return r;
}

void write_h5(const RawClassification& d, const std::string& path) {
  write_h5_atomically(path, [&](H5File& h5) {
    h5.set_attr("format", std::string("eaformer-data"));
    h5.set_attr("version", kFormatVersion);
    h5.set_attr("kind", std::string("uea_classification"));
    h5.set_attr("name", d.name);
    write_sources(h5, d.sources, d.sha256);
    h5.write_strings("/class_names", d.class_names);
    write_split(h5, "/train", d.train);
    write_split(h5, "/test", d.test);
  });
}

void write_h5(const RawForecast& d, const std::string& path) {
  write_h5_atomically(path, [&](H5File& h5) {
    h5.set_attr("format", std::string("eaformer-data"));
    h5.set_attr("version", kFormatVersion);
    h5.set_attr("kind", std::string("forecast"));
    h5.set_attr("name", d.name);
    write_sources(h5, {d.source}, {d.sha256});
    h5.write_strings("/columns", d.table.columns);
    h5.write("/timestamps", {d.table.rows()}, d.table.timestamps.data());
    h5.write("/values", {d.table.rows(), d.table.cols()}, d.table.values.data());
  });
}

std::string h5_kind(const std::string& path) {
  H5File h5(path, H5File::Mode::kRead);
  return h5.attr_string("kind");
}

RawClassification read_classification_h5(const std::string& path) {
  H5File h5(path, H5File::Mode::kRead);
  check_format(h5, "uea_classification");
  RawClassification r;
  r.name = h5.attr_string("name");
  r.class_names = h5.read_strings("/class_names");
  r.train = read_split(h5, "/train");
  r.test = read_split(h5, "/test");
  for (int i = 0; i < 2; ++i) {
    r.sources.push_back(h5.attr_string("source" + std::to_string(i)));
    r.sha256.push_back(h5.attr_string("source" + std::to_string(i) + "_sha256"));
  }
  for (const auto* s : {&r.train, &r.test})
    for (int32_t label : s->labels)
      if (label < 0 || label >= static_cast<int32_t>(r.class_names.size()))
        throw DataError(path, 0, "label index " + std::to_string(label) + " outside class_names");
  return r;
}

RawForecast read_forecast_h5(const std::string& path) {
  H5File h5(path, H5File::Mode::kRead);
  check_format(h5, "forecast");
  RawForecast r;
  r.name = h5.attr_string("name");
  r.source = h5.attr_string("source0");
  r.sha256 = h5.attr_string("source0_sha256");
  r.table.path = path;
  r.table.columns = h5.read_strings("/columns");
  r.table.timestamps = h5.read_int64("/timestamps");
  r.table.values = h5.read_double("/values");
  if (static_cast<int64_t>(r.table.values.size()) != r.table.rows() * r.table.cols())
    throw DataError(path, 0, "/values does not match /timestamps × /columns");
  return r;
}

DataLocations default_locations() {
  DataLocations w;
  const char* data = std::getenv("EAFORMER_DATA");
  w.data_dir = data && *data ? data : "data";
  if (const char* c = std::getenv("EAFORMER_CACHE"); c && *c) {
    w.cache_dir = c;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    w.cache_dir = (fs::path(x) / "eaformer").string();
  } else {
    const char* home = std::getenv("HOME");
    w.cache_dir = (fs::path(home && *home ? home : "/tmp") / ".cache" / "eaformer").string();
  }
  return w;
}

RawClassification load_uea(const std::string& name, const DataLocations& where) {
  g_last_cached = false;
  if (is_h5(name)) return read_classification_h5(name);
  const auto [train, test] = uea_files(name, where);
  const std::string cached = cache_file(where, "UEA/" + name);
  if (cache_matches(cached, {sha256_file(train), sha256_file(test)})) {
    g_last_cached = true;
    return read_classification_h5(cached);
  }
  RawClassification r = parse_uea(train, test);
  try {
    write_h5(r, cached);
  } catch (const std::exception&) {
    // A read-only or full cache directory only costs speed: keep the parsed data.
  }
  return r;
}

RawForecast load_forecast(const std::string& name, const DataLocations& where) {
  g_last_cached = false;
  if (is_h5(name)) return read_forecast_h5(name);
  const fs::path csv =
      fs::path(name).is_absolute() ? fs::path(name) : fs::path(where.data_dir) / name;
  if (!fs::exists(csv))
    throw DataError(
        csv.string(), 0,
        "forecasting CSV not found (set the data directory with --data-dir or EAFORMER_DATA)");
  const std::string cached = cache_file(where, name);
  if (cache_matches(cached, {sha256_file(csv.string())})) {
    g_last_cached = true;
    return read_forecast_h5(cached);
  }
  RawForecast r = parse_forecast(csv.string());
  try {
    write_h5(r, cached);
  } catch (const std::exception&) {
  }
  return r;
}

std::string convert_to_h5(const std::string& name, const DataLocations& where,
                          const std::string& out_path) {
  const bool is_csv = fs::path(name).extension() == ".csv";
  std::string out = out_path;
  if (out.empty()) out = fs::path(name).stem().string() + ".h5";
  if (is_csv) {
    const fs::path csv =
        fs::path(name).is_absolute() ? fs::path(name) : fs::path(where.data_dir) / name;
    write_h5(parse_forecast(csv.string()), out);
  } else {
    const auto [train, test] = uea_files(name, where);
    write_h5(parse_uea(train, test), out);
  }
  return out;
}

}  // namespace eaf
