// Configs: defaults per task, overrides, and every error case with its message.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "data_helpers.h"

using namespace eaf;
using namespace eaf::test;

namespace {
std::string error_of(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    Config::load(path, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("defaults depend on the task; files and --set override them", "[config]") {
  const Config c = Config::load("", {});
  CHECK(c.get_string("task") == "classification");
  CHECK(c.get_int("model.d_model") == 128);
  CHECK(c.get_string("train.optimizer") == "radam");
  CHECK(c.get_float("train.clip_norm") == 4.0);
  TempDir dir;
  const auto path =
      dir.write("f.yaml", "task: forecast\nmodel:\n  attention:\n    kind: ea\n    order: 2\n");
  const Config f =
      Config::load(path, {"train.epochs=3", "model.attention.order=6", "data.features=MS"});
  CHECK(f.get_int("model.d_model") == 512);
  CHECK(f.get_string("train.optimizer") == "adam");
  CHECK(f.get_string("train.lr_schedule") == "type1");
  CHECK(f.get_int("train.epochs") == 3);
  CHECK(f.get_int("model.attention.order") == 6);
  CHECK(f.get_string("model.attention.kind") == "ea");
  CHECK(f.get_string("data.features") == "MS");
  // The dump is complete and loads back to the same values.
  const auto dumped = dir.write("resolved.yaml", f.dump());
  const Config g = Config::load(dumped, {});
  CHECK(g.dump() == f.dump());
  CHECK(f.dump().find("holdout_fraction") != std::string::npos);
}

TEST_CASE("config errors name the file, the line, the key and the reason", "[config]") {
  TempDir dir;
  CHECK_THAT(error_of(dir.write("a.yaml", "model:\n  atention:\n    kind: ea\n")),
             Catch::Contains("a.yaml:2") && Catch::Contains("unknown key 'model.atention'"));
  CHECK_THAT(error_of(dir.write("b.yaml", "model:\n  d_model: 12x\n")),
             Catch::Contains("b.yaml:2") && Catch::Contains("model.d_model") &&
                 Catch::Contains("expected an integer, found '12x'"));
  CHECK_THAT(error_of(dir.write("c.yaml", "train:\n  lr: -1\n")),
             Catch::Contains("c.yaml:2") && Catch::Contains("train.lr") &&
                 Catch::Contains("out of range"));
  CHECK_THAT(error_of(dir.write("d.yaml", "model:\n  attention:\n    kind: softmax\n")),
             Catch::Contains("d.yaml:3") && Catch::Contains("'softmax' is not one of"));
  CHECK_THAT(error_of(dir.write("e.yaml", "model:\n  attention:\n    kind: ea\n    order: 5\n")),
             Catch::Contains("e.yaml:4") && Catch::Contains("model.attention.order") &&
                 Catch::Contains("even"));
  CHECK_THAT(error_of(dir.write("f.yaml", "data:\n  scale: maybe\n")),
             Catch::Contains("f.yaml:2") && Catch::Contains("expected true or false"));
  CHECK_THAT(error_of(dir.write("g.yaml", "model: [1, 2]\n")),
             Catch::Contains("g.yaml:1") && Catch::Contains("model"));
  CHECK_THAT(
      error_of(dir.write("h.yaml", "train:\n  epochs: [1, 2]\n")),
      Catch::Contains("h.yaml:2") && Catch::Contains("expected a single value, found a list"));
  CHECK_THAT(error_of(dir.write("i.yaml", "model:\n  d_model: 100\n  attention:\n    heads: 8\n")),
             Catch::Contains("i.yaml:4") && Catch::Contains("model.attention.heads") &&
                 Catch::Contains("divide"));
  CHECK_THAT(error_of(dir.write("j.yaml", "a: [\n")),
             Catch::Contains("j.yaml:") && Catch::Contains("YAML syntax error"));
  CHECK_THAT(error_of(dir.write("k.yaml", "model:\n  d_model:\n    x: 1\n")),
             Catch::Contains("k.yaml:2") && Catch::Contains("expected a value, found a mapping"));
  CHECK_THAT(error_of((dir.path / "missing.yaml").string()),
             Catch::Contains("missing.yaml: cannot read"));
  CHECK_THAT(error_of("", {"model.dmodel=3"}), Catch::Contains("--set model.dmodel=3") &&
                                                   Catch::Contains("did you mean 'model.d_model'"));
  CHECK_THAT(error_of("", {"train.epochs"}), Catch::Contains("expected key.path=value"));
  CHECK_THAT(error_of("", {"train.epochs=0"}),
             Catch::Contains("--set train.epochs=0") && Catch::Contains("out of range"));
  CHECK_THAT(error_of("", {"data.label_len=200"}),
             Catch::Contains("data.label_len") && Catch::Contains("seq_len"));
}

TEST_CASE("configs/README.md documents every key of the schema", "[config][docs]") {
  std::ifstream f(std::string(EAFORMER_SOURCE_DIR) + "/configs/README.md");
  REQUIRE(f);
  const std::string text((std::istreambuf_iterator<char>(f)), {});
  for (const KeySpec& k : config_schema()) {
    INFO(k.path);
    CHECK(text.find("`" + k.path + "`") != std::string::npos);
  }
  CHECK(text.find(schema_markdown()) != std::string::npos);  // the table is current
}

TEST_CASE("every shipped config loads and validates", "[config]") {
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(EAFORMER_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    CHECK_NOTHROW(Config::load(entry.path().string(), {}));
    ++count;
  }
  CHECK(count >= 131);  // 50 UEA + 80 forecasting + the default
}
