#include "data/h5_file.h"

#include <unistd.h>

#include <filesystem>

#include "data/data_error.h"

namespace eaf {

namespace {
// Closes an HDF5 handle with the right function at scope exit.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

size_t product(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  return n;
}
}  // namespace

H5File::H5File(const std::string& path, Mode mode) : path_(path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report errors ourselves
  file_ = mode == Mode::kRead ? H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)
                              : H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0)
    throw DataError(path, 0,
                    mode == Mode::kRead ? "cannot open as HDF5" : "cannot create HDF5 file");
}

H5File::~H5File() {
  if (file_ >= 0) H5Fclose(file_);
}

bool H5File::exists(const std::string& object) const {
  // Check each path component, as H5Lexists requires.
  size_t pos = 0;
  while (true) {
    pos = object.find('/', pos + 1);
    const std::string prefix = object.substr(0, pos);
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

void H5File::create_group(const std::string& group) {
  Handle g{H5Gcreate2(file_, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
  if (g.id < 0) throw DataError(path_, 0, "cannot create group " + group);
}

void H5File::write_raw(const std::string& name, const std::vector<int64_t>& dims, hid_t type,
                       const void* data) {
  std::vector<hsize_t> hd(dims.begin(), dims.end());
  Handle space{H5Screate_simple(static_cast<int>(hd.size()), hd.data(), nullptr), H5Sclose};
  Handle ds{H5Dcreate2(file_, name.c_str(), type, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            H5Dclose};
  if (ds.id < 0 || H5Dwrite(ds.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    throw DataError(path_, 0, "cannot write dataset " + name);
}

void H5File::write(const std::string& n, const std::vector<int64_t>& d, const float* x) {
  write_raw(n, d, H5T_NATIVE_FLOAT, x);
}
void H5File::write(const std::string& n, const std::vector<int64_t>& d, const double* x) {
  write_raw(n, d, H5T_NATIVE_DOUBLE, x);
}
void H5File::write(const std::string& n, const std::vector<int64_t>& d, const int32_t* x) {
  write_raw(n, d, H5T_NATIVE_INT32, x);
}
void H5File::write(const std::string& n, const std::vector<int64_t>& d, const int64_t* x) {
  write_raw(n, d, H5T_NATIVE_INT64, x);
}

void H5File::write_strings(const std::string& name, const std::vector<std::string>& values) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  write_raw(name, {static_cast<int64_t>(values.size())}, type.id, ptrs.data());
}

std::vector<int64_t> H5File::dims(const std::string& name) const {
  Handle ds{H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) throw DataError(path_, 0, "missing dataset " + name);
  Handle space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> hd(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id, hd.data(), nullptr);
  return std::vector<int64_t>(hd.begin(), hd.end());
}

void H5File::read_raw(const std::string& name, hid_t type, void* data, size_t) const {
  Handle ds{H5Dopen2(file_, name.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0 || H5Dread(ds.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    throw DataError(path_, 0, "cannot read dataset " + name);
}

std::vector<float> H5File::read_float(const std::string& n) const {
  std::vector<float> v(product(dims(n)));
  read_raw(n, H5T_NATIVE_FLOAT, v.data(), v.size());
  return v;
}
std::vector<double> H5File::read_double(const std::string& n) const {
  std::vector<double> v(product(dims(n)));
  read_raw(n, H5T_NATIVE_DOUBLE, v.data(), v.size());
  return v;
}
std::vector<int32_t> H5File::read_int32(const std::string& n) const {
  std::vector<int32_t> v(product(dims(n)));
  read_raw(n, H5T_NATIVE_INT32, v.data(), v.size());
  return v;
}
std::vector<int64_t> H5File::read_int64(const std::string& n) const {
  std::vector<int64_t> v(product(dims(n)));
  read_raw(n, H5T_NATIVE_INT64, v.data(), v.size());
  return v;
}

std::vector<std::string> H5File::read_strings(const std::string& name) const {
  const size_t n = product(dims(name));
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  std::vector<char*> ptrs(n, nullptr);
  read_raw(name, type.id, ptrs.data(), n);
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

void H5File::set_attr(const std::string& key, const std::string& value) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, value.size() + 1);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(file_, key.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose};
  if (attr.id < 0 || H5Awrite(attr.id, type.id, value.c_str()) < 0)
    throw DataError(path_, 0, "cannot write attribute " + key);
}

void H5File::set_attr(const std::string& key, int64_t value) {
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{H5Acreate2(file_, key.c_str(), H5T_NATIVE_INT64, space.id, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose};
  if (attr.id < 0 || H5Awrite(attr.id, H5T_NATIVE_INT64, &value) < 0)
    throw DataError(path_, 0, "cannot write attribute " + key);
}

std::string H5File::attr_string(const std::string& key) const {
  if (H5Aexists(file_, key.c_str()) <= 0) return "";
  Handle attr{H5Aopen(file_, key.c_str(), H5P_DEFAULT), H5Aclose};
  Handle type{H5Aget_type(attr.id), H5Tclose};
  if (H5Tis_variable_str(type.id) > 0) {  // written by h5py, say
    char* p = nullptr;
    Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Aread(attr.id, mem.id, &p);
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  std::string s(H5Tget_size(type.id), '\0');
  H5Aread(attr.id, type.id, s.data());
  return s.substr(0, s.find('\0'));
}

int64_t H5File::attr_int(const std::string& key, int64_t fallback) const {
  if (H5Aexists(file_, key.c_str()) <= 0) return fallback;
  Handle attr{H5Aopen(file_, key.c_str(), H5P_DEFAULT), H5Aclose};
  int64_t v = fallback;
  H5Aread(attr.id, H5T_NATIVE_INT64, &v);
  return v;
}

void write_h5_atomically(const std::string& path, const std::function<void(H5File&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    {
      H5File h5(tmp, H5File::Mode::kTruncate);
      write(h5);
    }
    fs::rename(tmp, target);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace eaf
