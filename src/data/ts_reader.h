// Reader for the UEA / sktime `.ts` format.
//
// Header tags (@problemName, @timeStamps, @missing, @univariate, @dimensions,
// @equalLength, @seriesLength, @classLabel, @data) are case-insensitive; '#' starts a
// comment line. After @data each non-empty line is one sample: dimensions separated by
// ':', values by ',', the class label last. '?' and NaN mark missing values. CRLF line
// endings are accepted.
//
// Checked, with file:line in the error: a missing @data section, no samples, a wrong
// number of dimensions, a value that is not a number, a label the header does not list,
// and — when the header says @equalLength true — a dimension whose length differs from
// @seriesLength or from the other dimensions of its sample. With @equalLength false,
// dimensions may differ in length (TSL's subsampling rule handles that).
#pragma once

#include <string>
#include <vector>

namespace eaf {

struct TsSample {
  std::vector<std::vector<float>> dims;  // one series per dimension (NaN = missing)
  std::string label;
  int64_t line = 0;  // where it was read, for later error messages
};

struct TsFile {
  std::string path;
  std::string problem_name;
  int64_t dimensions = 0;
  bool equal_length = false;
  int64_t series_length = 0;              // 0 when the header gives none
  std::vector<std::string> class_labels;  // as listed by @classLabel
  std::vector<TsSample> samples;
};

TsFile read_ts(const std::string& path);
// Same, from text already in memory (tests); `name` is used in error messages.
TsFile parse_ts(const std::string& text, const std::string& name);

}  // namespace eaf
