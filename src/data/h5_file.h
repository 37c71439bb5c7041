// A thin RAII layer over the HDF5 C API: whole-array datasets, string arrays and
// attributes, enough for the data store and checkpoints. Errors throw DataError naming
// the file and the object.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace eaf {

class H5File {
 public:
  enum class Mode { kRead, kTruncate };
  H5File(const std::string& path, Mode mode);
  ~H5File();
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  const std::string& path() const { return path_; }
  bool exists(const std::string& object) const;
  void create_group(const std::string& group);

  // Datasets: `dims` gives the shape, data is row-major.
  void write(const std::string& name, const std::vector<int64_t>& dims, const float* data);
  void write(const std::string& name, const std::vector<int64_t>& dims, const double* data);
  void write(const std::string& name, const std::vector<int64_t>& dims, const int32_t* data);
  void write(const std::string& name, const std::vector<int64_t>& dims, const int64_t* data);
  void write_strings(const std::string& name, const std::vector<std::string>& values);

  std::vector<int64_t> dims(const std::string& name) const;
  std::vector<float> read_float(const std::string& name) const;
  std::vector<double> read_double(const std::string& name) const;
  std::vector<int32_t> read_int32(const std::string& name) const;
  std::vector<int64_t> read_int64(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name) const;

  // Attributes on the root group.
  void set_attr(const std::string& key, const std::string& value);
  void set_attr(const std::string& key, int64_t value);
  std::string attr_string(const std::string& key) const;  // "" when absent
  int64_t attr_int(const std::string& key, int64_t fallback) const;

 private:
  void write_raw(const std::string& name, const std::vector<int64_t>& dims, hid_t type,
                 const void* data);
  void read_raw(const std::string& name, hid_t type, void* data, size_t expect) const;
  std::string path_;
  hid_t file_ = -1;
};

// Writes an HDF5 file through a temporary file in the same directory, then renames it:
// readers (and a resumed run) never see a half-written file, even after a kill.
void write_h5_atomically(const std::string& path, const std::function<void(H5File&)>& write);

}  // namespace eaf
