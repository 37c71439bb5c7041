// Raw data sets as read from their source files, their HDF5 form, and cached loading.
//
// `eaformer convert` writes one HDF5 file per data set (layout in data/README.md).
// Loading by name parses the raw files once and keeps an HDF5 copy in the cache
// directory; later loads read the copy while the sources' sha256 still match the
// attributes stored in it, and re-convert when they do not.
#pragma once

#include <string>
#include <vector>

#include "data/csv_reader.h"

namespace eaf {

// One split of a UEA classification set before any preprocessing.
struct RawClassificationSplit {
  int64_t num_samples = 0, max_length = 0, channels = 0;
  std::vector<float> values;     // [N, max_length, C]; NaN marks missing values and padding
  std::vector<int64_t> lengths;  // [N, C]: the length of every series
  std::vector<int32_t> labels;   // [N], indices into class_names
};

struct RawClassification {
  std::string name;
  std::vector<std::string> class_names;  // sorted as pandas sorts categories (lexicographic)
  RawClassificationSplit train, test;
  std::vector<std::string> sources;  // train file, test file
  std::vector<std::string> sha256;   // of the sources
};

struct RawForecast {
  std::string name;
  CsvTable table;
  std::string source, sha256;
};

// Parsing. A TEST label that TRAIN does not have is an error naming the TEST line.
RawClassification parse_uea(const std::string& train_ts, const std::string& test_ts);
RawForecast parse_forecast(const std::string& csv);

// HDF5 files, written atomically (temporary file, then rename).
void write_h5(const RawClassification& data, const std::string& path);
void write_h5(const RawForecast& data, const std::string& path);
// Which kind an HDF5 data file holds: "uea_classification" or "forecast".
std::string h5_kind(const std::string& path);
RawClassification read_classification_h5(const std::string& path);
RawForecast read_forecast_h5(const std::string& path);

struct DataLocations {
  std::string data_dir;   // where the raw files are
  std::string cache_dir;  // where converted HDF5 copies go
};
// EAFORMER_DATA, else "data"; EAFORMER_CACHE, else $XDG_CACHE_HOME/eaformer, else
// ~/.cache/eaformer.
DataLocations default_locations();

// `name` is a UEA set ("JapaneseVowels": data_dir/UEA/<name>/<name>_{TRAIN,TEST}.ts or
// data_dir/<name>/...), or a path to an .h5 file written by convert.
RawClassification load_uea(const std::string& name, const DataLocations& where);
// `name` is a CSV path relative to data_dir ("ETT-small/ETTh2.csv") or an .h5 file.
RawForecast load_forecast(const std::string& name, const DataLocations& where);

// Converts a data set named as above into an HDF5 file; returns the file written.
std::string convert_to_h5(const std::string& name, const DataLocations& where,
                          const std::string& out_path);

// For tests and logs: whether the last load_* call read a cached HDF5 copy.
bool last_load_was_cached();

}  // namespace eaf
