// Config readers shared by the tasks.
#include "train/task.h"

#include "attention/attention.h"
#include "data/store.h"

namespace eaf {

AttentionOptions attention_options(const Config& cfg, const std::string& site, int64_t length) {
  AttentionOptions o;
  const std::string base = "model.attention";
  o.kind = cfg.get_string(site + ".kind");
  if (o.kind.empty()) o.kind = cfg.get_string(base + ".kind");
  o.order = static_cast<int>(cfg.get_int(site + ".order"));
  if (o.order == 0) o.order = static_cast<int>(cfg.get_int(base + ".order"));
  o.causal = cfg.get_bool(site + ".causal");
  o.heads = cfg.get_int(base + ".heads");
  o.dropout = static_cast<float>(cfg.get_float(base + ".dropout"));
  o.max_length = cfg.get_int(base + ".max_length");
  if (o.max_length == 0) o.max_length = length;
  return o;
}

DataLocations data_locations(const Config& cfg) {
  DataLocations where = default_locations();
  if (!cfg.get_string("data.dir").empty()) where.data_dir = cfg.get_string("data.dir");
  if (!cfg.get_string("data.cache_dir").empty()) where.cache_dir = cfg.get_string("data.cache_dir");
  return where;
}

}  // namespace eaf
