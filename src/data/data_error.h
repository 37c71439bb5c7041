// Errors in input data name the file, the line (when there is one) and what was
// expected, e.g. "JapaneseVowels_TRAIN.ts:42: expected 12 dimensions and a class label,
// found 11 fields".
#pragma once

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace eaf {

class DataError : public std::runtime_error {
 public:
  DataError(const std::string& file, int64_t line, const std::string& what)
      : std::runtime_error(message(file, line, what)), file_(file), line_(line) {}
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }

 private:
  static std::string message(const std::string& file, int64_t line, const std::string& what) {
    std::string m = file;
    if (line > 0) m.append(":").append(std::to_string(line));
    return m.append(": ").append(what);
  }
  std::string file_;
  int64_t line_;
};

// s without leading and trailing white space (CR of CRLF files included).
inline std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// The whole file as text; a DataError if it cannot be opened.
inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path, 0, "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace eaf
