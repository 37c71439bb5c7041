// Reader for forecasting CSVs (the ETT / Autoformer "custom" layout): a header line, a
// first column `date`, then numeric columns. Dates may be written
// "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM", "YYYY-MM-DD" or "YYYY/M/D H:MM" (the forms
// present in ../shared/data). Values are kept in double, as pandas reads them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eaf {

struct CsvTable {
  std::string path;
  std::vector<std::string> columns;  // numeric columns, in file order (without `date`)
  std::vector<int64_t> timestamps;   // seconds since 1970-01-01 00:00 (the clock time as written)
  std::vector<double> values;        // [rows, columns]
  int64_t rows() const { return static_cast<int64_t>(timestamps.size()); }
  int64_t cols() const { return static_cast<int64_t>(columns.size()); }
  int64_t column_index(const std::string& name) const;  // -1 if absent
};

CsvTable read_forecast_csv(const std::string& path);
CsvTable parse_forecast_csv(const std::string& text, const std::string& name);

// Calendar fields of a timestamp, for the time features.
struct CivilTime {
  int year, month, day, hour, minute, second;
  int day_of_week;  // Monday = 0, as pandas
  int day_of_year;  // 1-based
};
CivilTime civil_from_timestamp(int64_t seconds);
// Parses one date in any accepted form; returns false if it is none of them.
bool parse_timestamp(const std::string& text, int64_t& seconds);

}  // namespace eaf
