#include "config/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include "attention/ea_kernels.h"

namespace eaf {

namespace {

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream ss(key);
  std::string p;
  while (std::getline(ss, p, '.')) parts.push_back(p);
  return parts;
}

const KeySpec* find_spec(const std::string& key) {
  for (const KeySpec& s : config_schema())
    if (s.path == key) return &s;
  return nullptr;
}

bool is_section(const std::string& key) {
  for (const KeySpec& s : config_schema())
    if (s.path.rfind(key + ".", 0) == 0) return true;
  return false;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggestion(const std::string& key) {
  const KeySpec* best = nullptr;
  size_t best_d = 1000;
  for (const KeySpec& s : config_schema()) {
    const size_t d = edit_distance(key, s.path);
    if (d < best_d) best_d = d, best = &s;
  }
  return best && best_d <= std::max<size_t>(3, key.size() / 3)
             ? " (did you mean '" + best->path + "'?)"
             : "";
}

// A user-given leaf value and where it came from.
struct Given {
  YAML::Node value;
  std::string origin;  // "file.yaml:12" or "--set a.b=c"
};

void flatten(const YAML::Node& node, const std::string& prefix, const std::string& file,
             std::map<std::string, Given>& out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
    const std::string origin = file + ":" + std::to_string(it->first.Mark().line + 1);
    if (it->second.IsMap()) {
      if (find_spec(key))
        throw ConfigError(origin + ": " + key + ": expected a value, found a mapping");
      if (!is_section(key))
        throw ConfigError(origin + ": unknown key '" + key + "'" + suggestion(key));
      flatten(it->second, key, file, out);
    } else {
      out[key] = {it->second, origin};
    }
  }
}

std::string describe(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

// Checks a given value against its spec; returns it as a canonical YAML scalar string.
std::string check_value(const KeySpec& s, const Given& g) {
  const std::string where = g.origin + ": " + s.path + ": ";
  if (!g.value.IsScalar())
    throw ConfigError(where + "expected a single value, found " + describe(g.value));
  const std::string text = g.value.Scalar();
  switch (s.type) {
    case ValueType::kInt: {
      int64_t v = 0;
      size_t used = 0;
      try {
        v = std::stoll(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size())
        throw ConfigError(where + "expected an integer, found '" + text + "'");
      if (v < s.min || v > s.max)
        throw ConfigError(where + text + " is out of range [" + std::to_string(int64_t(s.min)) +
                          ", " + std::to_string(int64_t(s.max)) + "]");
      return std::to_string(v);
    }
    case ValueType::kFloat: {
      double v = 0;
      size_t used = 0;
      try {
        v = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size() || !std::isfinite(v))
        throw ConfigError(where + "expected a number, found '" + text + "'");
      if (v < s.min || v > s.max) {
        std::ostringstream r;
        r << where << text << " is out of range [" << s.min << ", " << s.max << "]";
        throw ConfigError(r.str());
      }
      char buf[32];  // shortest text that reads back as the same double
      const auto res = std::to_chars(buf, buf + sizeof buf, v);
      return std::string(buf, res.ptr);
    }
    case ValueType::kBool: {
      bool b = false;
      if (!YAML::convert<bool>::decode(g.value, b))
        throw ConfigError(where + "expected true or false, found '" + text + "'");
      return b ? "true" : "false";
    }
    case ValueType::kString:
      if (!s.choices.empty() &&
          std::find(s.choices.begin(), s.choices.end(), text) == s.choices.end()) {
        std::string list;
        for (const auto& c : s.choices) list += (list.empty() ? "" : ", ") + (c.empty() ? "''" : c);
        throw ConfigError(where + "'" + text + "' is not one of " + list);
      }
      return text;
  }
  return text;
}

// Sets root[a][b]... = value, creating the sections. (yaml-cpp's operator= on a Node
// assigns into the tree; reset() rebinds the handle, which is what walking needs.)
void set_path(YAML::Node& root, const std::string& key, const YAML::Node& value) {
  const auto parts = split_key(key);
  YAML::Node cur;
  cur.reset(root);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!cur[parts[i]].IsMap()) cur[parts[i]] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[parts[i]];
    cur.reset(next);
  }
  cur[parts.back()] = value;
}

}  // namespace

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  Config cfg;
  cfg.source_ = path.empty() ? "(defaults)" : path;
  YAML::Node user(YAML::NodeType::Map);
  if (!path.empty()) {
    try {
      user = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
      throw ConfigError(path + ": cannot read the config file");
    } catch (const YAML::ParserException& e) {
      throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) +
                        ": YAML syntax error: " + e.msg);
    }
    if (user.IsNull()) user = YAML::Node(YAML::NodeType::Map);
    if (!user.IsMap()) throw ConfigError(path + ": the top level must be a mapping of keys");
  }
  std::map<std::string, Given> given;
  flatten(user, "", path, given);
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("--set " + o + ": expected key.path=value");
    const std::string key = o.substr(0, eq);
    if (!find_spec(key))
      throw ConfigError("--set " + o + ": unknown key '" + key + "'" + suggestion(key));
    YAML::Node value;
    try {
      value = YAML::Load(o.substr(eq + 1));
    } catch (const YAML::Exception&) {
      value = YAML::Node(o.substr(eq + 1));
    }
    if (value.IsNull()) value = YAML::Node(std::string());
    given[key] = {value, "--set " + o};
  }
  for (const auto& [key, g] : given)
    if (!find_spec(key))
      throw ConfigError(g.origin + ": unknown key '" + key + "'" + suggestion(key));

  std::string task = "classification";
  if (auto it = given.find("task"); it != given.end())
    task = check_value(*find_spec("task"), it->second);
  cfg.resolved_ = YAML::Node(YAML::NodeType::Map);
  std::map<std::string, std::string> origin;
  for (const KeySpec& s : config_schema()) {
    // Defaults go through the same check, so they are canonical (and valid) too.
    std::string value = check_value(
        s, {YAML::Node(task == "forecast" ? s.default_forecast : s.default_classification),
            "(schema default)"});
    if (auto it = given.find(s.path); it != given.end()) {
      value = check_value(s, it->second);
      origin[s.path] = it->second.origin;
    }
    set_path(cfg.resolved_, s.path, YAML::Node(value));
  }
  auto fail = [&](const std::string& key, const std::string& reason) {
    const auto it = origin.find(key);
    throw ConfigError((it != origin.end() ? it->second : cfg.source_) + ": " + key + ": " + reason);
  };
  // Rules that involve more than one key.
  const int64_t d_model = cfg.get_int("model.d_model");
  for (const std::string site :
       {"model.attention", "model.decoder_attention", "model.cross_attention"}) {
    std::string kind = cfg.get_string(site + ".kind");
    if (kind.empty()) kind = cfg.get_string("model.attention.kind");
    int64_t order = cfg.get_int(site + ".order");
    if (order == 0 && site != "model.attention") order = cfg.get_int("model.attention.order");
    if (kind == "ea" && (order < 2 || order % 2 != 0 || order > kEaMaxOrder))
      fail(site + ".order", "EA Taylor order must be even and in [2, " +
                                std::to_string(kEaMaxOrder) + "], got " + std::to_string(order));
    if ((kind == "sa" || kind == "la") && d_model % cfg.get_int("model.attention.heads") != 0)
      fail("model.attention.heads", "must divide model.d_model = " + std::to_string(d_model));
  }
  if (cfg.get_int("data.label_len") > cfg.get_int("data.seq_len"))
    fail("data.label_len",
         "must not exceed data.seq_len = " + std::to_string(cfg.get_int("data.seq_len")));
  return cfg;
}

const YAML::Node Config::leaf(const std::string& key) const {
  YAML::Node n;
  n.reset(resolved_);
  for (const std::string& p : split_key(key)) {
    const YAML::Node& cn = n;
    if (!cn.IsMap() || !cn[p]) throw ConfigError("internal: no config key '" + key + "'");
    YAML::Node next = cn[p];
    n.reset(next);
  }
  return n;
}

int64_t Config::get_int(const std::string& key) const {
  return std::stoll(leaf(key).Scalar());
}
double Config::get_float(const std::string& key) const {
  return std::stod(leaf(key).Scalar());
}
bool Config::get_bool(const std::string& key) const {
  return leaf(key).Scalar() == "true";
}
std::string Config::get_string(const std::string& key) const {
  return leaf(key).Scalar();
}

std::string Config::dump() const {
  YAML::Emitter out;
  out << resolved_;
  return std::string(out.c_str()) + "\n";
}

}  // namespace eaf
