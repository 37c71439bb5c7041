// The trainer: the loss falls (synthetic set, JapaneseVowels, ETTh2), the same seed
// gives the same numbers, a run killed mid-epoch resumes to the uninterrupted result,
// and the run directory holds what it promises.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "data/h5_file.h"
#include "data_helpers.h"
#include "train/sweep.h"
#include "train/trainer.h"

using namespace eaf;
using namespace eaf::test;
namespace fs = std::filesystem;

namespace {
// A small classifier on the synthetic task: 12 batches per epoch.
Config tiny(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> sets = {"data.synthetic.train_samples=192",
                                   "data.synthetic.test_samples=64",
                                   "model.d_model=32",
                                   "model.d_ff=64",
                                   "model.e_layers=1",
                                   "model.attention.kind=ea",
                                   "model.attention.order=4",
                                   "train.epochs=6",
                                   "train.lr=0.003",
                                   "output.progress=none"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return Config::load("", sets);
}

bool same_history(const std::vector<EpochRecord>& a, const std::vector<EpochRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].train_loss != b[i].train_loss || a[i].val_loss != b[i].val_loss ||
        a[i].val_metric != b[i].val_metric || a[i].test_metric != b[i].test_metric)
      return false;
  return true;
}
}  // namespace

TEST_CASE("the synthetic classifier trains and the run directory is complete", "[train]") {
  TempDir dir;
  const RunResult r = train_run(tiny(), {(dir.path / "run").string()});
  REQUIRE(r.history.size() == 6);
  CHECK(r.history.back().train_loss < 0.8 * r.history.front().train_loss);
  CHECK(r.final_metrics.at("test_accuracy") > 0.4);  // chance is 0.25
  for (const char* f : {"config.yaml", "metrics.csv", "final.json", "predictions.h5", "log.txt",
                        "checkpoint_last.h5", "checkpoint_best.h5"})
    CHECK(fs::exists(dir.path / "run" / f));
  std::ifstream csv(dir.path / "run" / "metrics.csv");
  int lines = 0;
  std::string header;
  std::getline(csv, header);
  const auto columns = [](const std::string& l) { return std::count(l.begin(), l.end(), ',') + 1; };
  CHECK(columns(header) == 9);
  for (std::string l; std::getline(csv, l); ++lines) CHECK(columns(l) == columns(header));
  CHECK(lines == 6);  // one row per epoch
  H5File pred((dir.path / "run" / "predictions.h5").string(), H5File::Mode::kRead);
  CHECK(pred.dims("/logits") == std::vector<int64_t>{64, 4});
  // eval reproduces the final metrics from the best checkpoint and the saved config.
  const RunResult e = evaluate_run((dir.path / "run").string());
  CHECK(e.final_metrics.at("test_accuracy") == r.final_metrics.at("test_accuracy"));
  CHECK(e.final_metrics.at("test_loss") == r.final_metrics.at("test_loss"));
}

TEST_CASE("same seed, same numbers; another seed, other numbers", "[train]") {
  TempDir dir;
  const RunResult a = train_run(tiny({"train.epochs=2"}), {(dir.path / "a").string()});
  const RunResult b = train_run(tiny({"train.epochs=2"}), {(dir.path / "b").string()});
  CHECK(same_history(a.history, b.history));
  for (const char* m : {"test_accuracy", "test_loss", "steps"})  // not the wall time
    CHECK(a.final_metrics.at(m) == b.final_metrics.at(m));
  const RunResult c = train_run(tiny({"train.epochs=2", "seed=7"}), {(dir.path / "c").string()});
  CHECK_FALSE(same_history(a.history, c.history));
}

TEST_CASE("a run killed mid-epoch resumes to the uninterrupted result", "[train]") {
  // Mid epoch 1; after epoch 1's last step but before its checkpoint; mid epoch 3.
  const int64_t kill_after = GENERATE(5, 12, 29);
  TempDir dir;
  const RunResult whole = train_run(tiny(), {(dir.path / "whole").string()});
  const std::string broken = (dir.path / "broken").string();
  CHECK_THROWS_AS(train_run(tiny(), {broken, kill_after}), RunAborted);
  const RunResult resumed = train_run(tiny(), {broken});
  CHECK(resumed.resumed == (kill_after > 12));  // no checkpoint before epoch 1 is done
  CHECK(same_history(whole.history, resumed.history));
  CHECK(whole.final_metrics.at("test_accuracy") == resumed.final_metrics.at("test_accuracy"));
  CHECK(whole.final_metrics.at("test_loss") == resumed.final_metrics.at("test_loss"));
  // A finished run is not trained again.
  const RunResult again = train_run(tiny(), {broken});
  CHECK(again.final_metrics.at("test_loss") == whole.final_metrics.at("test_loss"));
  // Resuming with another config is refused.
  CHECK_THROWS_WITH(train_run(tiny({"model.d_ff=48"}), {broken}),
                    Catch::Contains("different config"));
}

TEST_CASE("classification with a held-out validation split", "[train]") {
  TempDir dir;
  const RunResult r =
      train_run(tiny({"data.validation=holdout", "train.epochs=2"}), {(dir.path / "h").string()});
  // Validation (on part of TRAIN) and test (TEST) differ now.
  CHECK(r.history.back().val_loss != r.history.back().test_loss);
}

TEST_CASE("JapaneseVowels: the TSL classifier's loss falls", "[train][real]") {
  if (real_data("UEA/JapaneseVowels/JapaneseVowels_TRAIN.ts").empty()) return;
  TempDir dir, cache;
  const Config cfg = Config::load(
      "", {"data.dataset=JapaneseVowels", "data.cache_dir=" + cache.path.string(),
           "model.d_model=32", "model.d_ff=64", "model.e_layers=1", "model.attention.kind=ea",
           "train.epochs=3", "train.lr=0.003", "output.progress=none"});
  const RunResult r = train_run(cfg, {(dir.path / "jv").string()});
  CHECK(r.history.back().train_loss < 0.7 * r.history.front().train_loss);
  CHECK(r.final_metrics.at("test_accuracy") > 0.3);  // chance ≈ 0.11
}

TEST_CASE("ETTh2: the TSL forecaster's loss falls", "[train][real]") {
  if (real_data("ETT-small/ETTh2.csv").empty()) return;
  TempDir dir, cache;
  const Config cfg =
      Config::load("", {"task=forecast", "data.dataset=ETT-small/ETTh2.csv",
                        "data.cache_dir=" + cache.path.string(), "model.d_model=16",
                        "model.d_ff=32", "model.attention.kind=ea", "model.attention.order=2",
                        "train.epochs=2", "train.lr=0.001", "output.progress=none"});
  const RunResult r = train_run(cfg, {(dir.path / "etth2").string()});
  REQUIRE(r.history.size() == 2);
  CHECK(r.history[1].train_loss < r.history[0].train_loss);
  CHECK(r.history[1].lr == Approx(0.001));  // TSL type1: epochs 1 and 2 both at lr0
  CHECK(std::isfinite(r.final_metrics.at("test_mse")));
  H5File pred((dir.path / "etth2" / "predictions.h5").string(), H5File::Mode::kRead);
  CHECK(pred.dims("/pred") ==
        std::vector<int64_t>{2785, 96, 7});  // the test loader keeps its last batch
}

TEST_CASE("a real SIGKILL of `eaformer train` resumes to the uninterrupted result",
          "[train][cli]") {
  TempDir dir;
  const std::string bin = EAFORMER_BINARY;
  const std::string args =
      " --set data.synthetic.train_samples=384 --set model.d_model=32 --set model.d_ff=64"
      " --set model.e_layers=1 --set model.attention.kind=ea --set train.epochs=8"
      " --set train.lr=0.003 --set output.progress=none --set threads=2";
  const std::string whole = (dir.path / "whole").string(), killed = (dir.path / "killed").string();
  REQUIRE(std::system((bin + " train" + args + " --run-dir " + whole + " > /dev/null").c_str()) ==
          0);
  // Start again in the background; kill -9 as soon as epoch 1's checkpoint exists.
  const std::string start =
      bin + " train" + args + " --run-dir " + killed + " > /dev/null 2>&1 & echo $!";
  FILE* p = popen(start.c_str(), "r");
  long pid = 0;
  REQUIRE(std::fscanf(p, "%ld", &pid) == 1);
  pclose(p);
  for (int i = 0; i < 3000 && !fs::exists(fs::path(killed) / "checkpoint_last.h5"); ++i)
    std::system("sleep 0.01");
  std::system(("kill -9 " + std::to_string(pid) + " 2>/dev/null").c_str());
  std::system("sleep 0.2");
  CHECK_FALSE(fs::exists(fs::path(killed) / "final.json"));  // it really was cut short
  REQUIRE(std::system((bin + " train" + args + " --run-dir " + killed + " > /dev/null").c_str()) ==
          0);
  auto read = [](const fs::path& f) {
    std::ifstream in(f);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return text;
  };
  // Everything but the timing columns must match.
  auto strip_times = [](std::string csv) {
    std::string out;
    std::stringstream ss(csv);
    for (std::string line; std::getline(ss, line);) {
      int commas = 0;
      std::string kept;
      for (char c : line) {
        if (c == ',' && ++commas == 7) break;
        kept += c;
      }
      out += kept + "\n";
    }
    return out;
  };
  CHECK(strip_times(read(fs::path(killed) / "metrics.csv")) ==
        strip_times(read(fs::path(whole) / "metrics.csv")));
  const auto a = evaluate_run(whole), b = evaluate_run(killed);
  CHECK(a.final_metrics.at("test_loss") == b.final_metrics.at("test_loss"));
}

TEST_CASE("sweep: one run per grid point and seed, a summary table, finished runs skipped",
          "[train]") {
  TempDir dir;
  const std::string cfg =
      dir.write("base.yaml",
                "data:\n  synthetic:\n    train_samples: 64\n    test_samples: 32\n"
                "model:\n  d_model: 16\n  d_ff: 32\n  e_layers: 1\n  attention:\n    kind: ea\n"
                "train:\n  epochs: 1\noutput:\n  progress: none\n");
  SweepOptions o;
  o.config = cfg;
  o.grid = {"model.attention.order=[2,4]"};
  o.seeds = 2;
  o.out_dir = (dir.path / "sweep").string();
  const std::string out = run_sweep(o);
  std::ifstream md(fs::path(out) / "summary.md");
  std::string text((std::istreambuf_iterator<char>(md)), {});
  CHECK(text.find("| 2 |") != std::string::npos);
  CHECK(text.find("| 4 |") != std::string::npos);
  CHECK(text.find("±") != std::string::npos);  // mean ± std over the 2 seeds
  CHECK(fs::exists(fs::path(out) / "model.attention.order=4,seed=2022" / "final.json"));
  const auto stamp =
      fs::last_write_time(fs::path(out) / "model.attention.order=2,seed=2021" / "final.json");
  run_sweep(o);  // everything done: nothing is trained again
  CHECK(fs::last_write_time(fs::path(out) / "model.attention.order=2,seed=2021" / "final.json") ==
        stamp);
  o.grid = {"model.attention.order=3"};
  CHECK_THROWS_WITH(run_sweep(o), Catch::Contains("expected a non-empty list"));
}
