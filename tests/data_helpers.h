// Helpers for tests on files: the real-data directory and temporary files.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace eaf::test {

// The real data directory ($EAFORMER_DATA, else data/). Returns "" when it lacks the
// file and we are not in CI (the caller skips); in CI (CI set) a missing file fails.
inline std::string real_data(const std::string& relative) {
  const char* env = std::getenv("EAFORMER_DATA");
  const std::filesystem::path dir = env && *env ? env : "data";
  if (std::filesystem::exists(dir / relative)) return (dir / relative).string();
  const char* ci = std::getenv("CI");
  if (ci && *ci) FAIL("real data file missing in CI: " << (dir / relative).string());
  WARN("skipped: " << (dir / relative).string() << " not found (set EAFORMER_DATA)");
  return "";
}

// A fresh temporary directory, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("eaformer-test-" + std::to_string(std::rand()) + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

}  // namespace eaf::test
