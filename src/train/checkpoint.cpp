#include "train/checkpoint.h"

#include "data/data_error.h"
#include "data/h5_file.h"

namespace eaf {

namespace {
constexpr int64_t kCheckpointVersion = 1;

// History columns, in EpochRecord order.
const char* kHistory[] = {"epoch",       "train_loss", "val_loss", "val_metric",   "test_loss",
                          "test_metric", "lr",         "seconds",  "train_seconds"};
constexpr int kColumns = 9;

std::vector<double> column(const std::vector<EpochRecord>& h, int k) {
  std::vector<double> v;
  for (const EpochRecord& r : h) {
    const double cols[] = {double(r.epoch), r.train_loss, r.val_loss, r.val_metric,   r.test_loss,
                           r.test_metric,   r.lr,         r.seconds,  r.train_seconds};
    v.push_back(cols[k]);
  }
  return v;
}
}  // namespace

void save_checkpoint(const std::string& path, const ParameterList& params, Optimizer* optimizer,
                     const TrainerState& s) {
  write_h5_atomically(path, [&](H5File& h5) {
    h5.set_attr("format", std::string("eaformer-checkpoint"));
    h5.set_attr("version", kCheckpointVersion);
    h5.set_attr("epochs_done", s.epochs_done);
    h5.set_attr("steps", s.steps);
    h5.set_attr("has_best", int64_t(s.has_best));
    h5.set_attr("bad_epochs", s.bad_epochs);
    h5.set_attr("finished", int64_t(s.finished));
    h5.create_group("/params");
    for (const Parameter* p : params) {
      std::vector<int64_t> dims(p->shape.dims.begin(), p->shape.dims.begin() + p->shape.rank);
      h5.write("/params/" + p->name, dims, p->value.data());
    }
    h5.create_group("/trainer");
    const double scalars[] = {s.best_score, s.lr};
    h5.write("/trainer/best_score_lr", {2}, scalars);
    h5.create_group("/history");
    for (int k = 0; k < kColumns; ++k) {
      const auto col = column(s.history, k);
      h5.write(std::string("/history/") + kHistory[k], {int64_t(col.size())}, col.data());
    }
    if (optimizer) {
      h5.create_group("/optimizer");
      h5.set_attr("optimizer_steps", optimizer->steps_taken());
      const auto buffers = optimizer->state_buffers();
      for (size_t i = 0; i < buffers.size(); ++i)
        h5.write("/optimizer/" + std::to_string(i), {int64_t(buffers[i]->size())},
                 buffers[i]->data());
    }
  });
}

void load_checkpoint(const std::string& path, const ParameterList& params, Optimizer* optimizer,
                     TrainerState& s) {
  H5File h5(path, H5File::Mode::kRead);
  if (h5.attr_string("format") != "eaformer-checkpoint")
    throw DataError(path, 0, "not an eaformer checkpoint");
  for (Parameter* p : params) {
    const std::string name = "/params/" + p->name;
    if (!h5.exists(name)) throw DataError(path, 0, "has no parameter '" + p->name + "'");
    const auto dims = h5.dims(name);
    const std::vector<int64_t> want(p->shape.dims.begin(), p->shape.dims.begin() + p->shape.rank);
    if (dims != want)
      throw DataError(path, 0,
                      "parameter '" + p->name + "' has a different shape than the model's " +
                          p->shape.str() + " (was the config changed?)");
    p->value = h5.read_float(name);
  }
  s.epochs_done = h5.attr_int("epochs_done", 0);
  s.steps = h5.attr_int("steps", 0);
  s.has_best = h5.attr_int("has_best", 0) != 0;
  s.bad_epochs = h5.attr_int("bad_epochs", 0);
  s.finished = h5.attr_int("finished", 0) != 0;
  const auto scalars = h5.read_double("/trainer/best_score_lr");
  s.best_score = scalars.at(0);
  s.lr = scalars.at(1);
  std::vector<std::vector<double>> cols;
  for (int k = 0; k < kColumns; ++k) {
    cols.push_back(h5.read_double(std::string("/history/") + kHistory[k]));
    if (cols[k].size() != cols[0].size())
      throw DataError(path, 0,
                      std::string("history column ") + kHistory[k] + " has the wrong length");
  }
  s.history.clear();
  for (size_t r = 0; r < cols[0].size(); ++r)
    s.history.push_back({int64_t(cols[0][r]), cols[1][r], cols[2][r], cols[3][r], cols[4][r],
                         cols[5][r], cols[6][r], cols[7][r], cols[8][r]});
  if (optimizer) {
    if (!h5.exists("/optimizer")) throw DataError(path, 0, "has no optimiser state");
    optimizer->set_steps_taken(h5.attr_int("optimizer_steps", 0));
    const auto buffers = optimizer->state_buffers();
    for (size_t i = 0; i < buffers.size(); ++i) {
      auto v = h5.read_float("/optimizer/" + std::to_string(i));
      if (v.size() != buffers[i]->size())
        throw DataError(path, 0, "optimiser state " + std::to_string(i) + " has the wrong size");
      *buffers[i] = std::move(v);
    }
    optimizer->set_lr(s.lr);
  }
}

}  // namespace eaf
