#include "cli/bench_attention.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "attention/attention.h"
#include "cli/bench_common.h"
#include "core/rng.h"
#include "ops/reduce.h"

namespace eaf {

namespace {

AttentionOptions options_for(const std::string& name, const AttentionBenchOptions& b) {
  AttentionOptions o = attention_options_named(name, b.heads, b.causal);
  o.max_length = *std::max_element(b.lengths.begin(), b.lengths.end());
  return o;
}

// Rough working-set estimate of one step, to skip configurations that cannot fit.
double estimated_bytes(const std::string& name, const AttentionBenchOptions& b, int64_t L) {
  const double act = 4.0 * b.batch * L * b.d_model;  // one [B, L, D] float tensor
  double total = 12 * act;                           // q, k, v, their grads, y, dy, workspaces
  if (name == "sa") total += 4.0 * (b.batch + 2) * b.heads * double(L) * L;  // P + 2 workspaces
  if (name == "aft_full") total += 4.0 * 3 * double(L) * L;
  return total;
}

struct Measurement {
  double ms = 0;  // best of the timed repetitions (least disturbed by other load)
  double median_ms = 0;
  int64_t arena_bytes = 0, rss_bytes = 0;
};

Measurement measure_one(const std::string& name, const AttentionBenchOptions& b, int64_t L) {
  Rng rng(1);
  auto attn = make_attention(options_for(name, b), b.d_model, rng);
  const int64_t n = b.batch * L * b.d_model;
  std::vector<float> q(n), k(n), v(n), dq(n), dk(n), dv(n);
  for (int64_t i = 0; i < n; ++i) {
    q[i] = static_cast<float>(rng.uniform(-1, 1));
    k[i] = static_cast<float>(rng.uniform(-1, 1));
    v[i] = static_cast<float>(rng.uniform(-1, 1));
  }
  const Shape s{b.batch, L, b.d_model};
  Arena arena;
  Tape t(arena);
  ParameterList params;
  attn->collect(params);
  auto step = [&] {
    t.reset();
    Var y = attn->forward(t, t.leaf({q.data(), s}, {dq.data(), s}),
                          t.leaf({k.data(), s}, {dk.data(), s}),
                          t.leaf({v.data(), s}, {dv.data(), s}), Var{}, true, 7);
    t.backward(mean_all(t, y));
  };
  step();  // warm-up: grows the arena, builds oneDNN primitives
  arena.reset_peak();
  std::vector<double> times;
  for (int r = 0; r < b.reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    step();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  Measurement m;
  m.ms = times.front();
  m.median_ms = times[times.size() / 2];
  m.arena_bytes = static_cast<int64_t>(arena.peak_bytes());
  m.rss_bytes = read_status_kib("VmHWM:") * 1024;
  for (float x : dq)
    if (!std::isfinite(x)) throw std::runtime_error(name + ": non-finite gradient in benchmark");
  return m;
}

}  // namespace

int run_attention_bench(const AttentionBenchOptions& b, const std::string& self_exe) {
  if (b.threads > 0) omp_set_num_threads(b.threads);
  if (b.single) {
    const Measurement m = measure_one(b.kinds.at(0), b, b.lengths.at(0));
    std::printf("RESULT %.4f %.4f %lld %lld\n", m.ms, m.median_ms,
                static_cast<long long>(m.arena_bytes), static_cast<long long>(m.rss_bytes));
    return 0;
  }
  const int threads = b.threads > 0 ? b.threads : omp_get_max_threads();
  char header[256];
  std::snprintf(header, sizeof header,
                "attention forward+backward, B=%lld D=%lld H=%lld, %s, %d threads, best of %d "
                "timed steps after one warm-up, each (kind, L) in a fresh process",
                static_cast<long long>(b.batch), static_cast<long long>(b.d_model),
                static_cast<long long>(b.heads), b.causal ? "causal" : "non-causal", threads,
                b.reps);
  std::printf("%s\n", header);
  struct Row {
    std::string kind;
    int64_t L;
    Measurement m;
    std::string note;
  };
  std::vector<Row> rows;
  for (const std::string& name : b.kinds) {
    std::string stopped;  // why longer lengths are not run for this kind
    for (int64_t L : b.lengths) {
      Row row{name, L, {}, ""};
      if (!stopped.empty()) {
        row.note = "skipped: " + stopped;
      } else if (estimated_bytes(name, b, L) > 0.8 * mem_available_bytes()) {
        row.note = "does not fit in memory (needs ~" + mib(estimated_bytes(name, b, L)) + " MiB)";
        stopped = "a shorter length did not fit in memory";
      } else {
        std::ostringstream cmd;
        cmd << '"' << self_exe << "\" bench attention --single --kinds " << name << " --lengths "
            << L << " --batch " << b.batch << " --d-model " << b.d_model << " --heads " << b.heads
            << " --reps " << b.reps << " --threads " << threads << (b.causal ? " --causal" : "");
        std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.str().c_str(), "r"), pclose);
        char line[256];
        bool ok = false;
        while (pipe && std::fgets(line, sizeof line, pipe.get())) {
          long long arena, rss;
          if (std::sscanf(line, "RESULT %lf %lf %lld %lld", &row.m.ms, &row.m.median_ms, &arena,
                          &rss) == 4) {
            row.m.arena_bytes = arena, row.m.rss_bytes = rss, ok = true;
          }
        }
        if (!ok) {
          row.note = "failed (out of memory or error)";
          stopped = "a shorter length failed";
        } else if (row.m.ms / 1000.0 > b.max_seconds) {
          stopped = "a shorter length took longer than --max-seconds";
        }
      }
      std::printf(
          "  %-10s L=%-6lld best %10.2f ms  median %10.2f ms  arena %9s MiB  rss %9s MiB  %s\n",
          name.c_str(), static_cast<long long>(L), row.m.ms, row.m.median_ms,
          mib(row.m.arena_bytes).c_str(), mib(row.m.rss_bytes).c_str(), row.note.c_str());
      std::fflush(stdout);
      rows.push_back(row);
    }
  }

  std::ostringstream md;
  md << header << ".\n\n"
     << "| kind | L | fwd+bwd ms (best) | median ms | arena peak MiB | RSS peak MiB | note |\n"
     << "|---|---|---|---|---|---|---|\n";
  std::map<std::string, std::vector<std::pair<int64_t, double>>> time_pts, mem_pts;
  for (const Row& r : rows) {
    md << "| " << r.kind << " | " << r.L << " | ";
    if (r.note.empty()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f | %.2f", r.m.ms, r.m.median_ms);
      md << buf << " | " << mib(r.m.arena_bytes) << " | " << mib(r.m.rss_bytes) << " |  |\n";
      if (r.L >= 1024) {  // below that, fixed overheads hide the growth rate
        time_pts[r.kind].push_back({r.L, r.m.ms});
        mem_pts[r.kind].push_back({r.L, double(r.m.arena_bytes)});
      }
    } else {
      md << "– | – | – | – | " << r.note << " |\n";
    }
  }
  md << "\nFitted exponents p in cost ∝ L^p (least squares over L ≥ 1024):\n\n"
     << "| kind | time exponent | arena memory exponent |\n|---|---|---|\n";
  // A slope needs two lengths; with fewer the cell says so instead of printing nan.
  auto exponent_text = [](const std::vector<std::pair<int64_t, double>>& pts) -> std::string {
    if (pts.size() < 2) return "– (needs 2 lengths ≥ 1024)";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", fitted_exponent(pts));
    return buf;
  };
  for (const std::string& name : b.kinds)
    md << "| " << name << " | " << exponent_text(time_pts[name]) << " | "
       << exponent_text(mem_pts[name]) << " |\n";
  // EA's achieved throughput at the longest length measured. Operation count of the
  // kernels per (b, l, c): forward ≈ 11(t+1), backward ≈ 25(t+1) flops; compulsory
  // traffic: forward reads q, k, v and writes y; backward reads q, k, v, y, dy and
  // read-modify-writes dq, dk, dv — 15 floats per (b, l, c).
  md << "\nEA kernel throughput (fwd+bwd, counted operations / compulsory traffic):\n\n"
     << "| kind | L | GFLOP/s | GB/s |\n|---|---|---|---|\n";
  for (const Row& r : rows) {
    if (r.kind.rfind("ea", 0) != 0 || !r.note.empty()) continue;
    const int t = std::stoi(r.kind.substr(2));
    const double elems = double(b.batch) * r.L * b.d_model;
    char buf[96];
    std::snprintf(buf, sizeof buf, "| %s | %lld | %.2f | %.2f |\n", r.kind.c_str(),
                  static_cast<long long>(r.L), 36.0 * (t + 1) * elems / (r.m.ms * 1e6),
                  15.0 * 4 * elems / (r.m.ms * 1e6));
    md << buf;
  }
  std::printf("\n%s", md.str().c_str());
  if (!b.markdown_out.empty()) {
    std::ofstream f(b.markdown_out);
    f << md.str();
  }
  return 0;
}

}  // namespace eaf
