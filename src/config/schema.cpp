// The one list of configuration keys. configs/README.md documents the same table.
#include <cstdio>

#include "config/config.h"

namespace eaf {

namespace {
using V = ValueType;
const std::vector<std::string> kKinds = {"ea", "sa", "la", "aft_simple", "aft_full"};
const std::vector<std::string> kInheritKinds = {"", "ea", "sa", "la", "aft_simple", "aft_full"};
}  // namespace

const std::vector<KeySpec>& config_schema() {
  static const std::vector<KeySpec> schema = {
      // clang-format off
      {"task", V::kString, "classification", "forecast", 0, 0, {"classification", "forecast"}, "what to train"},
      {"name", V::kString, "", "", 0, 0, {}, "run name (default: data set and attention kind)"},
      {"seed", V::kInt, "2021", "2021", 0, 4294967295.0, {}, "seed of initialisation, shuffling, dropout"},
      {"threads", V::kInt, "0", "0", 0, 1024, {}, "OpenMP threads (0: all cores)"},
      {"data.dir", V::kString, "", "", 0, 0, {}, "data directory (default: $EAFORMER_DATA, else data/)"},
      {"data.cache_dir", V::kString, "", "", 0, 0, {}, "HDF5 cache (default: $EAFORMER_CACHE, else ~/.cache/eaformer)"},
      {"data.dataset", V::kString, "synthetic", "ETT-small/ETTh2.csv", 0, 0, {}, "classification: 'synthetic', a UEA name or an .h5 file; forecast: a CSV under data.dir or " "an .h5 file"},
      {"data.normalize", V::kString, "per_split", "per_split", 0, 0, {"per_split", "train_stats", "none"}, "UEA standardisation: per_split (TSL parity) or train_stats"},
      {"data.instance_norm", V::kString, "auto", "auto", 0, 0, {"auto", "on", "off"}, "per-instance normalisation (auto: EthanolConcentration only)"},
      {"data.validation", V::kString, "test", "test", 0, 0, {"test", "holdout"}, "classification early stopping on the TEST split (TSL parity) or on a held-out part of " "TRAIN"},
      {"data.holdout_fraction", V::kFloat, "0.2", "0.2", 0.01, 0.9, {}, "share of TRAIN held out when validation = holdout"},
      {"data.synthetic.train_samples", V::kInt, "512", "512", 8, 1e7, {}, "synthetic set: training samples"},
      {"data.synthetic.test_samples", V::kInt, "256", "256", 8, 1e7, {}, "synthetic set: test samples"},
      {"data.synthetic.length", V::kInt, "48", "48", 4, 1e6, {}, "synthetic set: series length"},
      {"data.synthetic.channels", V::kInt, "3", "3", 1, 4096, {}, "synthetic set: channels"},
      {"data.synthetic.classes", V::kInt, "4", "4", 2, 1000, {}, "synthetic set: classes"},
      {"data.synthetic.noise", V::kFloat, "0.6", "0.6", 0, 100, {}, "synthetic set: noise standard deviation"},
      {"data.seq_len", V::kInt, "96", "96", 1, 1e6, {}, "forecast: input length"},
      {"data.label_len", V::kInt, "48", "48", 0, 1e6, {}, "forecast: known steps fed to the decoder"},
      {"data.pred_len", V::kInt, "96", "96", 1, 1e6, {}, "forecast: horizon"},
      {"data.features", V::kString, "M", "M", 0, 0, {"M", "S", "MS"}, "forecast: multivariate, univariate, or multivariate to the target"},
      {"data.target", V::kString, "OT", "OT", 0, 0, {}, "forecast: target column"},
      {"data.split", V::kString, "auto", "auto", 0, 0, {"auto", "ett_hour", "ett_minute", "custom"}, "forecast: split rule"},
      {"data.freq", V::kString, "h", "h", 0, 0, {"h", "t"}, "forecast: time-feature frequency"},
      {"data.scale", V::kBool, "true", "true", 0, 0, {}, "forecast: StandardScaler fitted on train"},
      {"model.d_model", V::kInt, "128", "512", 1, 65536, {}, "model width"},
      {"model.d_ff", V::kInt, "256", "2048", 1, 262144, {}, "feed-forward width"},
      {"model.e_layers", V::kInt, "3", "2", 1, 64, {}, "encoder layers"},
      {"model.d_layers", V::kInt, "1", "1", 1, 64, {}, "decoder layers (forecast)"},
      {"model.dropout", V::kFloat, "0.1", "0.1", 0, 0.99, {}, "dropout"},
      {"model.mask_padding", V::kBool, "false", "false", 0, 0, {}, "classification: give the encoder attention the padding mask (TSL: false)"},
      {"model.attention.kind", V::kString, "sa", "sa", 0, 0, kKinds, "encoder attention kind"},
      {"model.attention.order", V::kInt, "6", "6", -1e9, 1e9, {}, "EA Taylor order t (even, 2..32)"},
      {"model.attention.heads", V::kInt, "8", "8", 1, 4096, {}, "heads (sa, la)"},
      {"model.attention.causal", V::kBool, "false", "false", 0, 0, {}, "causal encoder attention"},
      {"model.attention.dropout", V::kFloat, "0.1", "0.1", 0, 0.99, {}, "sa: dropout on attention probabilities"},
      {"model.attention.max_length", V::kInt, "0", "0", 0, 1e6, {}, "aft_full: bias size (0: the data's length)"},
      {"model.decoder_attention.kind", V::kString, "", "", 0, 0, kInheritKinds, "decoder self-attention kind ('': as model.attention)"},
      {"model.decoder_attention.order", V::kInt, "0", "0", -1e9, 1e9, {}, "its EA order (0: as model.attention)"},
      {"model.decoder_attention.causal", V::kBool, "true", "true", 0, 0, {}, "causal decoder self-attention (TSL: true)"},
      {"model.cross_attention.kind", V::kString, "", "", 0, 0, kInheritKinds, "decoder cross-attention kind ('': as model.attention)"},
      {"model.cross_attention.order", V::kInt, "0", "0", -1e9, 1e9, {}, "its EA order (0: as model.attention)"},
      {"model.cross_attention.causal", V::kBool, "false", "false", 0, 0, {}, "causal cross-attention (TSL: false)"},
      {"train.epochs", V::kInt, "100", "10", 1, 1e6, {}, "maximum epochs"},
      {"train.batch_size", V::kInt, "16", "32", 1, 1e6, {}, "batch size"},
      {"train.lr", V::kFloat, "0.001", "0.0001", 1e-12, 10, {}, "learning rate"},
      {"train.optimizer", V::kString, "radam", "adam", 0, 0, {"sgd", "adam", "adamw", "radam"}, "optimiser"},
      {"train.weight_decay", V::kFloat, "0", "0", 0, 10, {}, "weight decay"},
      {"train.clip_norm", V::kFloat, "4.0", "0", 0, 1e9, {}, "gradient-norm clipping (0: off)"},
      {"train.patience", V::kInt, "10", "3", 1, 1e6, {}, "early stopping patience in epochs"},
      {"train.lr_schedule", V::kString, "none", "type1", 0, 0, {"none", "type1"}, "type1 (TSL): lr·0.5^(epoch−1) set after each epoch"},
      {"train.max_steps", V::kInt, "0", "0", 0, 1e12, {}, "stop after this many optimiser steps (0: no limit; for smoke tests)"},
      {"output.dir", V::kString, "runs", "runs", 0, 0, {}, "parent of run directories"},
      {"output.progress", V::kString, "auto", "auto", 0, 0, {"auto", "bar", "lines", "none"}, "progress bar on a terminal, plain lines otherwise"},
      // clang-format on
  };
  return schema;
}

std::string schema_markdown() {
  static const char* type_names[] = {"int", "float", "bool", "string"};
  std::string md =
      "| key | type | default (classification) | default (forecast) | allowed | meaning |\n"
      "|---|---|---|---|---|---|\n";
  for (const KeySpec& k : config_schema()) {
    std::string allowed;
    if (!k.choices.empty()) {
      for (const auto& c : k.choices)
        allowed += (allowed.empty() ? "" : ", ") + (c.empty() ? "''" : c);
    } else if (k.type == ValueType::kInt || k.type == ValueType::kFloat) {
      if (k.min > -1e299 && k.min != -1e9) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.10g … %.10g", k.min, k.max);
        allowed = buf;
      }
    }
    auto show = [](const std::string& v) { return v.empty() ? std::string("''") : v; };
    md += "| `" + k.path + "` | " + type_names[static_cast<int>(k.type)] + " | " +
          show(k.default_classification) + " | " + show(k.default_forecast) + " | " + allowed +
          " | " + k.doc + " |\n";
  }
  return md;
}

}  // namespace eaf
