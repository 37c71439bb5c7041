// eaformer command line: train, eval, convert, bench, sweep.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "cli/bench_attention.h"
#include "cli/bench_model.h"
#include "config/config.h"
#include "data/data_error.h"
#include "data/store.h"
#include "train/sweep.h"
#include "train/trainer.h"

int main(int argc, char** argv) {
  CLI::App app{"eaformer: element-wise attention and its rivals for time series"};
  app.require_subcommand(1);

  std::string config, run_dir, data_dir;
  std::vector<std::string> sets;
  CLI::App* train = app.add_subcommand(
      "train", "train a model from a YAML config (no config: the synthetic classification task)");
  train->add_option("config", config, "YAML config (schema: configs/README.md)");
  train->add_option("--set", sets,
                    "override a key, e.g. --set model.attention.kind=ea (repeatable)");
  train->add_option("--run-dir", run_dir,
                    "run directory (default: output.dir/<name>); resumes if it has a checkpoint");
  train->add_option("--data-dir", data_dir, "data directory (same as --set data.dir=...)");
  bool print_config = false;
  train->add_flag("--print-config", print_config,
                  "print the resolved config (defaults filled in) and exit without training");

  std::string eval_dir;
  CLI::App* eval = app.add_subcommand("eval", "evaluate a run's best checkpoint on its test split");
  eval->add_option("run_dir", eval_dir, "run directory")->required();

  std::string convert_name, convert_out;
  CLI::App* convert = app.add_subcommand(
      "convert", "convert a raw data set (UEA .ts pair or forecasting CSV) into one HDF5 file");
  convert
      ->add_option("dataset", convert_name,
                   "UEA set name (e.g. JapaneseVowels) or CSV path under the data directory "
                   "(e.g. ETT-small/ETTh2.csv)")
      ->required();
  convert->add_option("-o,--out", convert_out, "output file (default: <name>.h5)");
  convert->add_option("--data-dir", data_dir, "data directory (default: $EAFORMER_DATA or data/)");

  CLI::App* bench = app.add_subcommand("bench", "benchmarks");
  bench->require_subcommand(1);
  eaf::AttentionBenchOptions ab;
  CLI::App* bench_attn = bench->add_subcommand(
      "attention", "forward+backward time and peak memory of each attention kind against L");
  bench_attn->add_option("--kinds", ab.kinds,
                         "kinds: ea<t> (e.g. ea6), sa, la, aft_simple, aft_full");
  bench_attn->add_option("--lengths", ab.lengths, "sequence lengths");
  bench_attn->add_option("--batch", ab.batch, "batch size")->check(CLI::PositiveNumber);
  bench_attn->add_option("--d-model", ab.d_model, "model width D")->check(CLI::PositiveNumber);
  bench_attn->add_option("--heads", ab.heads, "heads (SA, LA)")->check(CLI::PositiveNumber);
  bench_attn->add_option("--reps", ab.reps, "timed repetitions (best and median reported)")
      ->check(CLI::PositiveNumber);
  bench_attn->add_option("--max-seconds", ab.max_seconds,
                         "stop growing L for a kind past this step time");
  bench_attn->add_option("--threads", ab.threads, "OpenMP threads (0: all cores)");
  bench_attn->add_flag("--causal", ab.causal, "causal attention");
  bench_attn->add_option("--markdown", ab.markdown_out, "also write the tables to this file");
  bench_attn->add_flag("--single", ab.single,
                       "internal: measure one (kind, length) in this process");

  // bench model / bench generate share the model's shape options.
  eaf::ModelBenchOptions mb;
  CLI::App* bench_model = bench->add_subcommand(
      "model", "training throughput and peak memory of the TSL classifier at one length");
  CLI::App* bench_gen = bench->add_subcommand(
      "generate", "per-token latency of the causal model, positions 1 ... --positions");
  for (CLI::App* c : {bench_model, bench_gen}) {
    c->add_option("--kind", mb.kind, "ea<t> (e.g. ea6), sa, la, aft_simple");
    c->add_option("--batch", mb.batch, "batch size")->check(CLI::PositiveNumber);
    c->add_option("--d-model", mb.d_model, "model width")->check(CLI::PositiveNumber);
    c->add_option("--d-ff", mb.d_ff, "feed-forward width")->check(CLI::PositiveNumber);
    c->add_option("--layers", mb.layers, "encoder layers")->check(CLI::PositiveNumber);
    c->add_option("--heads", mb.heads, "heads (SA, LA)")->check(CLI::PositiveNumber);
    c->add_option("--channels", mb.channels, "input channels")->check(CLI::PositiveNumber);
    c->add_option("--threads", mb.threads, "OpenMP threads (0: all cores)");
  }
  bench_model->add_option("--length", mb.length, "sequence length")->check(CLI::PositiveNumber);
  bench_model->add_option("--classes", mb.classes, "classes")->check(CLI::PositiveNumber);
  bench_model->add_option("--dropout", mb.dropout, "dropout (TSL: 0.1)");
  bench_model->add_option("--steps", mb.steps, "timed steps after two warm-up steps")
      ->check(CLI::PositiveNumber);
  bench_model->add_option("--export", mb.export_path,
                          "write one dropout-free step (input, weights, logits, loss, gradients) "
                          "to this HDF5 file instead of timing");
  bench_gen->add_option("--positions", mb.positions, "positions to generate")
      ->check(CLI::PositiveNumber);

  eaf::SweepOptions sw;
  CLI::App* sweep =
      app.add_subcommand("sweep", "train a grid of configs and write one summary table");
  sweep->add_option("config", sw.config, "base YAML config");
  sweep->add_option("--set", sw.sets, "fixed override (repeatable)");
  sweep
      ->add_option("--grid", sw.grid,
                   "a swept key, e.g. --grid 'model.attention.order=[2,4,6,8,10]' (repeatable)")
      ->required();
  sweep->add_option("--seeds", sw.seeds, "seeds per combination (seed, seed+1, ...)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--out", sw.out_dir, "sweep directory (default: output.dir/sweep_<name>)");

  CLI::App* schema = app.add_subcommand("schema", "print the config schema as a markdown table");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) {
      if (!data_dir.empty()) sets.push_back("data.dir=" + data_dir);
      const eaf::Config cfg = eaf::Config::load(config, sets);
      if (print_config) {
        std::fputs(cfg.dump().c_str(), stdout);
        return 0;
      }
      eaf::train_run(cfg, {run_dir});
      return 0;
    }
    if (*eval) {
      const eaf::RunResult r = eaf::evaluate_run(eval_dir);
      for (const auto& [k, v] : r.final_metrics) std::printf("%s = %.6g\n", k.c_str(), v);
      return 0;
    }
    if (*convert) {
      eaf::DataLocations where = eaf::default_locations();
      if (!data_dir.empty()) where.data_dir = data_dir;
      const std::string out = eaf::convert_to_h5(convert_name, where, convert_out);
      std::printf("wrote %s\n", out.c_str());
      return 0;
    }
    if (*bench_attn)
      return eaf::run_attention_bench(ab, std::filesystem::read_symlink("/proc/self/exe").string());
    if (*bench_model) return eaf::run_model_bench(mb);
    if (*bench_gen) return eaf::run_generation_bench(mb);
    if (*sweep) {
      eaf::run_sweep(sw);
      return 0;
    }
    if (*schema) {
      std::fputs(eaf::schema_markdown().c_str(), stdout);
      return 0;
    }
  } catch (const eaf::ConfigError& e) {
    std::fprintf(stderr, "eaformer: config error: %s\n", e.what());
    return 2;
  } catch (const eaf::DataError& e) {
    std::fprintf(stderr, "eaformer: data error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eaformer: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
