#include "data/ts_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "data/data_error.h"

namespace eaf {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

bool parse_bool(const std::string& v, const std::string& file, int64_t line, const char* tag) {
  const std::string l = lower(v);
  if (l == "true") return true;
  if (l == "false") return false;
  throw DataError(file, line, std::string(tag) + " must be true or false, got '" + v + "'");
}

float parse_value(const std::string& token, const std::string& file, int64_t line, int64_t dim) {
  const std::string t = trim(token);
  if (t == "?" || lower(t) == "nan") return std::nanf("");
  float v = 0;
  const char* end = t.data() + t.size();
  auto [ptr, ec] = std::from_chars(t.data(), end, v);
  if (ec != std::errc() || ptr != end || t.empty())
    throw DataError(file, line,
                    "dimension " + std::to_string(dim + 1) + ": '" + t + "' is not a number");
  return v;
}

}  // namespace

TsFile parse_ts(const std::string& text, const std::string& name) {
  TsFile f;
  f.path = name;
  if (trim(text).empty()) throw DataError(name, 0, "empty file");
  std::istringstream in(text);
  std::string raw;
  int64_t line_no = 0;
  bool in_data = false, has_labels = false, seen_dimensions = false;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (!in_data) {
      if (line[0] != '@')
        throw DataError(
            name, line_no,
            "expected a header tag (@...) before @data, found '" + line.substr(0, 40) + "'");
      std::istringstream ls(line);
      std::string tag;
      ls >> tag;
      tag = lower(tag);
      std::string rest;
      std::getline(ls, rest);
      rest = trim(rest);
      if (tag == "@problemname") {
        f.problem_name = rest;
      } else if (tag == "@timestamps") {
        if (parse_bool(rest, name, line_no, "@timeStamps"))
          throw DataError(name, line_no, "@timeStamps true is not supported");
      } else if (tag == "@dimensions") {
        try {
          f.dimensions = std::stoll(rest);
        } catch (const std::exception&) {
          f.dimensions = 0;
        }
        if (f.dimensions < 1)
          throw DataError(name, line_no,
                          "@dimensions must be a positive integer, got '" + rest + "'");
        seen_dimensions = true;
      } else if (tag == "@equallength") {
        f.equal_length = parse_bool(rest, name, line_no, "@equalLength");
      } else if (tag == "@serieslength") {
        try {
          f.series_length = std::stoll(rest);
        } catch (const std::exception&) {
          throw DataError(name, line_no, "@seriesLength must be an integer, got '" + rest + "'");
        }
      } else if (tag == "@classlabel") {
        std::istringstream ls2(rest);
        std::string flag, label;
        ls2 >> flag;
        has_labels = parse_bool(flag, name, line_no, "@classLabel");
        while (ls2 >> label) f.class_labels.push_back(label);
        if (has_labels && f.class_labels.empty())
          throw DataError(name, line_no, "@classLabel true lists no labels");
      } else if (tag == "@data") {
        in_data = true;
        if (!has_labels)
          throw DataError(name, line_no, "@classLabel true is required before @data");
        if (!seen_dimensions) {
          // Older files omit @dimensions: take it from the first sample.
          f.dimensions = 0;
        }
      }
      // Other tags (@univariate, @missing, @targetlabel ...) carry nothing we need.
      continue;
    }
    // A sample: dim1:dim2:...:label
    std::vector<std::string> fields = split(line, ':');
    if (f.dimensions == 0) f.dimensions = static_cast<int64_t>(fields.size()) - 1;
    if (static_cast<int64_t>(fields.size()) != f.dimensions + 1)
      throw DataError(name, line_no,
                      "expected " + std::to_string(f.dimensions) +
                          " dimensions and a class label, found " + std::to_string(fields.size()) +
                          " ':'-separated fields");
    TsSample s;
    s.line = line_no;
    s.label = trim(fields.back());
    if (std::find(f.class_labels.begin(), f.class_labels.end(), s.label) == f.class_labels.end())
      throw DataError(name, line_no,
                      "class label '" + s.label + "' is not declared in @classLabel");
    for (int64_t d = 0; d < f.dimensions; ++d) {
      std::vector<float> series;
      for (const std::string& tok : split(fields[d], ','))
        series.push_back(parse_value(tok, name, line_no, d));
      if (series.empty() || (series.size() == 1 && trim(fields[d]).empty()))
        throw DataError(name, line_no, "dimension " + std::to_string(d + 1) + " is empty");
      s.dims.push_back(std::move(series));
    }
    if (f.equal_length) {
      for (int64_t d = 0; d < f.dimensions; ++d) {
        const int64_t len = static_cast<int64_t>(s.dims[d].size());
        const int64_t want =
            f.series_length ? f.series_length : static_cast<int64_t>(s.dims[0].size());
        if (len != want)
          throw DataError(name, line_no,
                          "inconsistent series lengths: dimension " + std::to_string(d + 1) +
                              " has " + std::to_string(len) + " values, expected " +
                              std::to_string(want) + " (@equalLength true)");
      }
    }
    f.samples.push_back(std::move(s));
  }
  if (!in_data) throw DataError(name, line_no, "no @data section (truncated file?)");
  if (f.samples.empty()) throw DataError(name, line_no, "@data section holds no samples");
  return f;
}

TsFile read_ts(const std::string& path) {
  return parse_ts(read_text_file(path), path);
}

}  // namespace eaf
