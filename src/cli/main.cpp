// eaformer command line.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "cli/bench_attention.h"
#include "data/store.h"
#include "data/synthetic.h"
#include "models/ffn_classifier.h"
#include "train/fit_classifier.h"

namespace {

struct TrainArgs {
  int64_t epochs = 15;
  uint64_t seed = 1;
  int threads = 0;
};

int run_train(const TrainArgs& a) {
  using namespace eaf;
  if (a.threads > 0) omp_set_num_threads(a.threads);
  SyntheticSpec spec;
  spec.seed = a.seed;
  const SyntheticSplits data = make_synthetic_classification(spec);
  std::printf(
      "data: embedded synthetic classification (seed %llu): %lld train / %lld test samples, "
      "length %lld, %lld channels, %lld classes\n",
      static_cast<unsigned long long>(a.seed), static_cast<long long>(data.train.num_samples),
      static_cast<long long>(data.test.num_samples), static_cast<long long>(spec.length),
      static_cast<long long>(spec.channels), static_cast<long long>(spec.classes));
  FfnClassifierSpec ms;
  ms.length = data.train.length;
  ms.channels = data.train.channels;
  ms.classes = data.train.num_classes();
  Rng init_rng(a.seed);
  FfnClassifier model(ms, init_rng);
  ParameterList params;
  model.collect(params);
  int64_t n_params = 0;
  for (auto* p : params) n_params += p->numel();
  std::printf(
      "model: ffn classifier, d_model %lld, d_ff %lld, %lld layers, %lld parameters; "
      "%d threads\n",
      static_cast<long long>(ms.d_model), static_cast<long long>(ms.d_ff),
      static_cast<long long>(ms.layers), static_cast<long long>(n_params), omp_get_max_threads());
  FitOptions fo;
  fo.epochs = a.epochs;
  fo.seed = a.seed;
  fit_classifier(model, data.train, data.test, fo, [](const EpochMetrics& m) {
    std::printf("epoch %3lld  train loss %.4f acc %.3f  test loss %.4f acc %.3f  (%.2fs)\n",
                static_cast<long long>(m.epoch), m.train.loss, m.train.accuracy, m.test.loss,
                m.test.accuracy, m.seconds);
    std::fflush(stdout);
  });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eaformer: element-wise attention and its rivals for time series"};
  app.require_subcommand(1);
  TrainArgs train_args;
  CLI::App* train =
      app.add_subcommand("train", "train a model (default: the embedded synthetic task)");
  train->add_option("--epochs", train_args.epochs, "number of epochs")->check(CLI::PositiveNumber);
  train->add_option("--seed", train_args.seed, "seed for data, initialisation and dropout");
  train->add_option("--threads", train_args.threads, "OpenMP threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);
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
  std::string convert_name, convert_out, data_dir;
  CLI::App* convert = app.add_subcommand(
      "convert", "convert a raw data set (UEA .ts pair or forecasting CSV) into one HDF5 file");
  convert
      ->add_option("dataset", convert_name,
                   "UEA set name (e.g. JapaneseVowels) or CSV path under the data directory "
                   "(e.g. ETT-small/ETTh2.csv)")
      ->required();
  convert->add_option("-o,--out", convert_out, "output file (default: <name>.h5)");
  convert->add_option("--data-dir", data_dir, "data directory (default: $EAFORMER_DATA or data/)");
  CLI11_PARSE(app, argc, argv);
  try {
    if (*train) return run_train(train_args);
    if (*convert) {
      eaf::DataLocations where = eaf::default_locations();
      if (!data_dir.empty()) where.data_dir = data_dir;
      const std::string out = eaf::convert_to_h5(convert_name, where, convert_out);
      std::printf("wrote %s\n", out.c_str());
      return 0;
    }
    if (*bench_attn)
      return eaf::run_attention_bench(ab, std::filesystem::read_symlink("/proc/self/exe").string());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eaformer: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
