#include "train/sweep.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/config.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

namespace eaf {

namespace {

struct Axis {
  std::string key;
  std::vector<std::string> values;
};

Axis parse_axis(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos) throw ConfigError("--grid " + spec + ": expected key=[v1,v2,...]");
  Axis a{spec.substr(0, eq), {}};
  YAML::Node list;
  try {
    list = YAML::Load(spec.substr(eq + 1));
  } catch (const YAML::Exception&) {
  }
  if (!list.IsSequence() || list.size() == 0)
    throw ConfigError("--grid " + spec + ": expected a non-empty list like [2,4,6]");
  for (const auto& v : list) a.values.push_back(v.Scalar());
  return a;
}

std::map<std::string, double> read_final(const fs::path& path) {
  std::map<std::string, double> m;
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  const YAML::Node n = YAML::Load(text);  // JSON is YAML
  for (const auto& kv : n) m[kv.first.Scalar()] = kv.second.as<double>();
  return m;
}

}  // namespace

std::string run_sweep(const SweepOptions& opt) {
  std::vector<Axis> axes;
  for (const auto& g : opt.grid) axes.push_back(parse_axis(g));
  const Config base = Config::load(opt.config, opt.sets);  // fail early on a bad config
  const fs::path out = opt.out_dir.empty() ? fs::path(base.get_string("output.dir")) /
                                                 ("sweep_" + default_run_name(base))
                                           : fs::path(opt.out_dir);
  // Every combination, last axis fastest.
  std::vector<std::vector<std::string>> combos{{}};
  for (const Axis& a : axes) {
    std::vector<std::vector<std::string>> next;
    for (const auto& c : combos)
      for (const auto& v : a.values) {
        auto d = c;
        d.push_back(v);
        next.push_back(d);
      }
    combos = next;
  }
  struct Row {
    std::vector<std::string> values;
    std::vector<std::map<std::string, double>> runs;
  };
  std::vector<Row> rows;
  for (const auto& combo : combos) {
    Row row{combo, {}};
    for (int64_t s = 0; s < opt.seeds; ++s) {
      std::vector<std::string> sets = opt.sets;
      std::string name;
      for (size_t i = 0; i < axes.size(); ++i) {
        sets.push_back(axes[i].key + "=" + combo[i]);
        name += (name.empty() ? "" : ",") + axes[i].key + "=" + combo[i];
      }
      const int64_t seed = base.get_int("seed") + s;
      sets.push_back("seed=" + std::to_string(seed));
      const fs::path run_dir =
          out / ((name.empty() ? std::string("base") : name) + ",seed=" + std::to_string(seed));
      if (!fs::exists(run_dir / "final.json")) {
        std::printf("== sweep run %s\n", run_dir.string().c_str());
        train_run(Config::load(opt.config, sets), {run_dir.string()});
      } else {
        std::printf("== sweep run %s: done before, skipped\n", run_dir.string().c_str());
      }
      row.runs.push_back(read_final(run_dir / "final.json"));
    }
    rows.push_back(row);
  }
  // Summary: mean ± std over seeds of every final metric.
  std::vector<std::string> metrics;
  for (const auto& [k, v] : rows.front().runs.front()) metrics.push_back(k);
  std::ostringstream md, csv;
  md << "|";
  for (const Axis& a : axes) md << " " << a.key << " |", csv << a.key << ",";
  for (const auto& m : metrics) md << " " << m << " |", csv << m << "_mean," << m << "_std,";
  md << "\n|" << std::string(axes.size() + metrics.size(), '-') << "\n";
  std::string sep = "|";
  for (size_t i = 0; i < axes.size() + metrics.size(); ++i) sep += "---|";
  std::string header = md.str();
  header = header.substr(0, header.find('\n') + 1) + sep + "\n";
  md.str("");
  md << header;
  csv << "seeds\n";
  for (const Row& r : rows) {
    md << "|";
    for (const auto& v : r.values) md << " " << v << " |", csv << v << ",";
    for (const auto& m : metrics) {
      double mean = 0, sq = 0;
      for (const auto& run : r.runs) mean += run.at(m);
      mean /= r.runs.size();
      for (const auto& run : r.runs) sq += (run.at(m) - mean) * (run.at(m) - mean);
      const double sd = r.runs.size() > 1 ? std::sqrt(sq / (r.runs.size() - 1)) : 0.0;
      char buf[64];
      std::snprintf(buf, sizeof buf, r.runs.size() > 1 ? " %.4g ± %.2g |" : " %.4g |", mean, sd);
      md << buf;
      csv << mean << "," << sd << ",";
    }
    md << "\n";
    csv << r.runs.size() << "\n";
  }
  fs::create_directories(out);
  std::ofstream(out / "summary.md") << md.str();
  std::ofstream(out / "summary.csv") << csv.str();
  std::printf("\n%s\nwritten: %s, %s\n", md.str().c_str(), (out / "summary.md").string().c_str(),
              (out / "summary.csv").string().c_str());
  return out.string();
}

}  // namespace eaf
