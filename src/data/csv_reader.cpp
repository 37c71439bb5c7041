#include "data/csv_reader.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "data/data_error.h"

namespace eaf {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Reads an unsigned integer of 1..max_digits digits at s[i]; advances i.
bool read_int(const std::string& s, size_t& i, int max_digits, int& out) {
  size_t start = i;
  out = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) &&
         static_cast<int>(i - start) < max_digits)
    out = out * 10 + (s[i++] - '0');
  return i > start;
}

}  // namespace

bool parse_timestamp(const std::string& text, int64_t& seconds) {
  const std::string s = trim(text);
  size_t i = 0;
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!read_int(s, i, 4, y) || i >= s.size() || (s[i] != '-' && s[i] != '/')) return false;
  const char sep = s[i++];
  if (!read_int(s, i, 2, mo) || i >= s.size() || s[i++] != sep || !read_int(s, i, 2, d))
    return false;
  if (i < s.size()) {
    if (s[i] != ' ' && s[i] != 'T') return false;
    ++i;
    if (!read_int(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !read_int(s, i, 2, mi))
      return false;
    if (i < s.size()) {
      if (s[i++] != ':' || !read_int(s, i, 2, se)) return false;
    }
    if (i != s.size()) return false;
  }
  static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] || (mo == 2 && d == 29 && !is_leap(y)) ||
      h > 23 || mi > 59 || se > 59)
    return false;
  seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return true;
}

CivilTime civil_from_timestamp(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t rem = seconds - days * 86400;
  CivilTime c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  // 1970-01-01 was a Thursday (Monday = 0 → 3).
  c.day_of_week = static_cast<int>(((days % 7) + 7 + 3) % 7);
  // civil_from_days (Hinnant)
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  c.year = static_cast<int>(y);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.day_of_year = static_cast<int>(days - 719468 - days_from_civil(y, 1, 1) + 1);
  return c;
}

int64_t CsvTable::column_index(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return static_cast<int64_t>(i);
  return -1;
}

CsvTable parse_forecast_csv(const std::string& text, const std::string& name) {
  CsvTable t;
  t.path = name;
  std::istringstream in(text);
  std::string line;
  int64_t line_no = 0;
  // Header
  while (std::getline(in, line)) {
    ++line_no;
    if (!trim(line).empty()) break;
  }
  if (trim(line).empty()) throw DataError(name, 0, "empty file");
  {
    std::vector<std::string> header;
    std::stringstream hs(trim(line));
    std::string cell;
    while (std::getline(hs, cell, ',')) header.push_back(trim(cell));
    if (header.empty() || header[0] != "date")
      throw DataError(name, line_no,
                      "expected a header whose first column is 'date', found '" +
                          (header.empty() ? std::string() : header[0]) + "'");
    if (header.size() < 2) throw DataError(name, line_no, "no value columns after 'date'");
    t.columns.assign(header.begin() + 1, header.end());
  }
  const size_t ncols = t.columns.size();
  while (std::getline(in, line)) {
    ++line_no;
    const std::string row = trim(line);
    if (row.empty()) continue;
    size_t pos = 0, field = 0;
    int64_t ts = 0;
    while (pos <= row.size()) {
      size_t comma = row.find(',', pos);
      if (comma == std::string::npos) comma = row.size();
      const std::string cell = trim(row.substr(pos, comma - pos));
      if (field == 0) {
        if (!parse_timestamp(cell, ts))
          throw DataError(
              name, line_no,
              "'" + cell + "' is not a date (expected e.g. 2016-07-01 00:00:00 or 2016/7/1 2:00)");
      } else if (field <= ncols) {
        double v = 0;
        auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        if (cell.empty() || ec != std::errc() || ptr != cell.data() + cell.size())
          throw DataError(name, line_no,
                          "column '" + t.columns[field - 1] + "': '" + cell + "' is not a number");
        t.values.push_back(v);
      }
      ++field;
      pos = comma + 1;
    }
    if (field != ncols + 1)
      throw DataError(
          name, line_no,
          "expected " + std::to_string(ncols + 1) + " fields, found " + std::to_string(field));
    t.timestamps.push_back(ts);
  }
  if (t.timestamps.empty()) throw DataError(name, line_no, "no data rows after the header");
  return t;
}

CsvTable read_forecast_csv(const std::string& path) {
  return parse_forecast_csv(read_text_file(path), path);
}

}  // namespace eaf
