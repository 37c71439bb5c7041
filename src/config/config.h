// Run configuration: YAML files checked against one schema (config/schema.cpp, documented
// in configs/README.md), `--set key.path=value` overrides, task-dependent defaults, and
// the resolved config that every run directory keeps.
//
// Errors name where the value came from (file:line or the --set argument), the key and
// the reason: an unknown key (with the closest known key), a value of the wrong type,
// a value out of range or not among the allowed choices.
#pragma once

#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace eaf {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& what) : std::runtime_error(what) {}
};

enum class ValueType { kInt, kFloat, kBool, kString };

struct KeySpec {
  std::string path;
  ValueType type;
  std::string default_classification, default_forecast;  // as YAML scalars
  double min = -1e300, max = 1e300;                      // numbers only
  std::vector<std::string> choices;                      // strings only (empty: any)
  std::string doc;
};

const std::vector<KeySpec>& config_schema();
// The schema as a markdown table (configs/README.md embeds it).
std::string schema_markdown();

class Config {
 public:
  // Reads `path` ("" for none: defaults only), applies the overrides "a.b=value" in
  // order, validates everything, and fills in the defaults for the task.
  static Config load(const std::string& path, const std::vector<std::string>& overrides);

  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;

  // The resolved config as YAML: every key, defaults included.
  std::string dump() const;
  const std::string& source() const { return source_; }

 private:
  YAML::Node resolved_;
  std::string source_;
  const YAML::Node leaf(const std::string& key) const;
};

}  // namespace eaf
