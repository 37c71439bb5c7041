#include "train/trainer.h"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/arena.h"
#include "core/rng.h"
#include "train/optimizer.h"
#include "train/progress.h"
#include "train/task.h"

namespace fs = std::filesystem;

namespace eaf {

namespace {

// Prints to stdout and appends to the run's log.txt.
class Log {
 public:
  explicit Log(const std::string& path) : file_(path, std::ios::app) {}
  template <class... A>
  void operator()(const char* fmt, A... args) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, fmt, args...);
    std::fputs(buf, stdout);
    std::fflush(stdout);
    file_ << buf;
    file_.flush();
  }

 private:
  std::ofstream file_;
};

std::unique_ptr<Task> make_task(const Config& cfg) {
  return cfg.get_string("task") == "forecast" ? make_forecast_task(cfg)
                                              : make_classification_task(cfg);
}

void write_metrics_csv(const std::string& path, const std::vector<EpochRecord>& h,
                       const char* metric) {
  std::ofstream f(path + ".tmp");
  f << "epoch,train_loss,val_loss,val_" << metric << ",test_loss,test_" << metric
    << ",lr,seconds,train_seconds\n";
  f.precision(10);
  for (const EpochRecord& r : h)
    f << r.epoch << ',' << r.train_loss << ',' << r.val_loss << ',' << r.val_metric << ','
      << r.test_loss << ',' << r.test_metric << ',' << r.lr << ',' << r.seconds << ','
      << r.train_seconds << '\n';
  f.close();
  fs::rename(path + ".tmp", path);
}

void write_final_json(const std::string& path, const std::map<std::string, double>& m) {
  std::ofstream f(path + ".tmp");
  f.precision(10);
  f << "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    f << (first ? "" : ", ") << '"' << k << "\": " << v;
    first = false;
  }
  f << "}\n";
  f.close();
  fs::rename(path + ".tmp", path);
}

std::map<std::string, double> final_metrics(Task& task, Tape& tape, const TrainerState& s) {
  const SplitEval test = task.evaluate(tape, EvalSplit::kTest);
  std::map<std::string, double> m;
  if (std::string(task.metric_name()) == "accuracy") {
    m["test_accuracy"] = test.metric;
    m["test_loss"] = test.loss;
  } else {
    m["test_mse"] = test.mse;
    m["test_mae"] = test.metric;
  }
  m["epochs"] = double(s.epochs_done);
  m["steps"] = double(s.steps);
  double seconds = 0, train_seconds = 0;
  for (const EpochRecord& r : s.history) seconds += r.seconds, train_seconds += r.train_seconds;
  m["seconds_per_epoch"] = s.history.empty() ? 0 : seconds / s.history.size();
  m["train_seconds_per_step"] = s.steps ? train_seconds / double(s.steps) : 0;
  // Lets a short timing run (train.max_steps) be scaled up to a whole epoch.
  m["train_batches_per_epoch"] = double(task.num_train_batches());
  m["eval_seconds_per_epoch"] =
      s.history.empty() ? 0 : (seconds - train_seconds) / double(s.history.size());
  return m;
}

}  // namespace

std::string default_run_name(const Config& cfg) {
  if (!cfg.get_string("name").empty()) return cfg.get_string("name");
  std::string data = fs::path(cfg.get_string("data.dataset")).stem().string();
  std::string attn = cfg.get_string("model.attention.kind");
  if (attn == "ea") attn += std::to_string(cfg.get_int("model.attention.order"));
  std::string name = data;
  name.append("_").append(attn);
  if (cfg.get_string("task") == "forecast")
    name.append("_").append(std::to_string(cfg.get_int("data.pred_len")));
  return name;
}

RunResult train_run(const Config& cfg, const RunOptions& opt) {
  if (cfg.get_int("threads") > 0) omp_set_num_threads(static_cast<int>(cfg.get_int("threads")));
  RunResult result;
  result.run_dir = opt.run_dir.empty()
                       ? (fs::path(cfg.get_string("output.dir")) / default_run_name(cfg)).string()
                       : opt.run_dir;
  fs::create_directories(result.run_dir);
  const fs::path dir(result.run_dir);
  Log log((dir / "log.txt").string());

  // A resumed run must be the same run: refuse a changed config.
  const std::string resolved = cfg.dump();
  const fs::path last = dir / "checkpoint_last.h5", best = dir / "checkpoint_best.h5";
  if (fs::exists(last) && fs::exists(dir / "config.yaml")) {
    std::ifstream f(dir / "config.yaml");
    std::stringstream ss;
    ss << f.rdbuf();
    if (ss.str() != resolved)
      throw ConfigError(result.run_dir +
                        ": holds a checkpoint of a run with a different config; "
                        "use another output directory or remove the checkpoints");
  }
  {
    std::ofstream f(dir / "config.yaml");
    f << resolved;
  }

  auto task = make_task(cfg);
  ParameterList params = task->parameters();
  OptimizerOptions oo;
  oo.lr = cfg.get_float("train.lr");
  oo.weight_decay = cfg.get_float("train.weight_decay");
  auto optimizer = make_optimizer(cfg.get_string("train.optimizer"), params, oo);
  TrainerState state;
  state.lr = oo.lr;
  if (fs::exists(last)) {
    load_checkpoint(last.string(), params, optimizer.get(), state);
    result.resumed = true;
    log("resuming %s after epoch %lld (step %lld)\n", result.run_dir.c_str(),
        (long long)state.epochs_done, (long long)state.steps);
  }
  int64_t n_params = 0;
  for (auto* p : params) n_params += p->numel();
  log("%s\n", task->describe().c_str());
  log("model: %lld parameters, attention %s, %d threads; run directory %s\n", (long long)n_params,
      cfg.get_string("model.attention.kind").c_str(), omp_get_max_threads(),
      result.run_dir.c_str());

  Arena arena;
  Tape tape(arena);
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("seed"));
  const int64_t epochs = cfg.get_int("train.epochs"), patience = cfg.get_int("train.patience");
  const int64_t max_steps = cfg.get_int("train.max_steps");
  const double clip = cfg.get_float("train.clip_norm");
  const bool type1 = cfg.get_string("train.lr_schedule") == "type1";
  int64_t steps_this_process = 0;
  for (int64_t epoch = state.epochs_done + 1; epoch <= epochs && !state.finished; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    task->start_epoch(epoch);
    optimizer->set_lr(state.lr);
    Progress progress(cfg.get_string("output.progress"), task->num_train_batches(),
                      "epoch " + std::to_string(epoch));
    double loss_sum = 0;
    int64_t batches = 0;
    for (int64_t b = 0; b < task->num_train_batches(); ++b) {
      if (max_steps > 0 && state.steps >= max_steps) break;
      tape.reset();
      optimizer->zero_grad();
      const float loss =
          task->train_step(tape, b, hash2(seed ^ 0xD50F, uint64_t(epoch) << 32 | uint64_t(b)));
      if (!std::isfinite(loss))
        throw std::runtime_error("training diverged: the loss is " + std::to_string(loss) +
                                 " at epoch " + std::to_string(epoch) + ", batch " +
                                 std::to_string(b) + "; the last checkpoint is untouched");
      if (clip > 0 && !std::isfinite(clip_grad_norm(params, clip)))
        throw std::runtime_error("training diverged: non-finite gradient norm at epoch " +
                                 std::to_string(epoch) + "; the last checkpoint is untouched");
      optimizer->step();
      ++state.steps;
      loss_sum += loss;
      ++batches;
      progress.update(b + 1, loss_sum / batches);
      if (opt.abort_after_steps > 0 && ++steps_this_process >= opt.abort_after_steps)
        throw RunAborted();
    }
    progress.finish();
    EpochRecord rec;
    rec.train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rec.epoch = epoch;
    rec.lr = state.lr;
    rec.train_loss = batches ? loss_sum / batches : 0;
    const SplitEval val = task->evaluate(tape, EvalSplit::kValidation);
    const SplitEval test =
        task->validation_is_test() ? val : task->evaluate(tape, EvalSplit::kTest);
    rec.val_loss = val.loss, rec.val_metric = val.metric;
    rec.test_loss = test.loss, rec.test_metric = test.metric;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.history.push_back(rec);
    state.epochs_done = epoch;
    // TSL's EarlyStopping: a tie counts as an improvement.
    const double score = task->score(val);
    if (!state.has_best || score >= state.best_score) {
      state.best_score = score;
      state.has_best = true;
      state.bad_epochs = 0;
      save_checkpoint(best.string(), params, nullptr, state);
    } else {
      ++state.bad_epochs;
    }
    const std::string status = state.bad_epochs
                                   ? " (no improvement " + std::to_string(state.bad_epochs) + "/" +
                                         std::to_string(patience) + ")"
                                   : " (best)";
    log("epoch %3lld  train loss %.5f  val loss %.5f %s %.5f  test loss %.5f %s %.5f  lr %.3g  "
        "%.1fs (train %.1fs)%s\n",
        (long long)epoch, rec.train_loss, rec.val_loss, task->metric_name(), rec.val_metric,
        rec.test_loss, task->metric_name(), rec.test_metric, rec.lr, rec.seconds, rec.train_seconds,
        status.c_str());
    if (state.bad_epochs >= patience) {
      log("early stopping after epoch %lld\n", (long long)epoch);
      state.finished = true;
    }
    if (max_steps > 0 && state.steps >= max_steps) state.finished = true;
    // TSL type1: after epoch e the rate becomes lr0 · 0.5^(e−1).
    if (type1) state.lr = cfg.get_float("train.lr") * std::pow(0.5, double(epoch - 1));
    if (epoch == epochs) state.finished = true;
    write_metrics_csv((dir / "metrics.csv").string(), state.history, task->metric_name());
    save_checkpoint(last.string(), params, optimizer.get(), state);
  }

  TrainerState best_state;
  load_checkpoint(best.string(), params, nullptr, best_state);
  result.final_metrics = final_metrics(*task, tape, state);
  result.history = state.history;
  write_final_json((dir / "final.json").string(), result.final_metrics);
  task->write_predictions(tape, (dir / "predictions.h5").string());
  for (const auto& [k, v] : result.final_metrics) log("final %s = %.6g\n", k.c_str(), v);
  return result;
}

RunResult evaluate_run(const std::string& run_dir) {
  const fs::path dir(run_dir);
  if (!fs::exists(dir / "config.yaml") || !fs::exists(dir / "checkpoint_best.h5"))
    throw ConfigError(run_dir +
                      ": not a run directory with a checkpoint (config.yaml, checkpoint_best.h5)");
  const Config cfg = Config::load((dir / "config.yaml").string(), {});
  if (cfg.get_int("threads") > 0) omp_set_num_threads(static_cast<int>(cfg.get_int("threads")));
  auto task = make_task(cfg);
  ParameterList params = task->parameters();
  TrainerState state;
  load_checkpoint((dir / "checkpoint_best.h5").string(), params, nullptr, state);
  Arena arena;
  Tape tape(arena);
  RunResult r;
  r.run_dir = run_dir;
  r.final_metrics = final_metrics(*task, tape, state);
  r.history = state.history;
  return r;
}

}  // namespace eaf
