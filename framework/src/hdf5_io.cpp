#include "alphas/hdf5_io.hpp"

#include <hdf5.h>

#include <sstream>

#include "alphas/error.hpp"

namespace alphas {
namespace {

// Closes an HDF5 identifier when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Object creation properties without modification times, so the same
// arrays always produce byte-identical files (and stable sha256 hashes).
hid_t untimed_properties(hid_t property_class) {
  hid_t properties = H5Pcreate(property_class);
  H5Pset_obj_track_times(properties, 0);
  return properties;
}

hid_t as_hid(int64_t handle) { return static_cast<hid_t>(handle); }

// Creates the groups on the way to `path` ("a/b/c" creates /a and /a/b).
void create_parent_groups(hid_t file, const std::string& path) {
  for (std::size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string group = path.substr(0, slash);
    if (group.empty() || H5Lexists(file, group.c_str(), H5P_DEFAULT) > 0) continue;
    Handle properties(untimed_properties(H5P_GROUP_CREATE), H5Pclose);
    Handle g(H5Gcreate2(file, group.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
             H5Gclose);
    if (!g.valid()) throw Error("cannot create HDF5 group " + group);
  }
}

hid_t utf8_string_type() {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

}  // namespace

H5File::H5File(const std::filesystem::path& file, Mode mode) : handle_(-1), file_(file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (mode == Mode::create) {
    handle_ = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  } else {
    handle_ = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  }
  if (handle_ < 0) {
    throw Error("cannot " + std::string(mode == Mode::create ? "create" : "open") +
                " HDF5 file " + file.string() +
                (mode == Mode::read ? ": missing or not an HDF5 file" : ": directory not writable"));
  }
}

H5File::~H5File() {
  if (handle_ >= 0) H5Fclose(as_hid(handle_));
}

namespace {

template <class T>
void write_numeric(hid_t file, const std::filesystem::path& name, const std::string& path,
                   const std::vector<T>& values, hid_t file_type, hid_t memory_type) {
  create_parent_groups(file, path);
  hsize_t dims[1] = {values.size()};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle properties(untimed_properties(H5P_DATASET_CREATE), H5Pclose);
  Handle data(H5Dcreate2(file, path.c_str(), file_type, space.get(), H5P_DEFAULT,
                         properties.get(), H5P_DEFAULT),
              H5Dclose);
  if (!data.valid()) throw Error("cannot create dataset " + path + " in " + name.string());
  if (!values.empty() &&
      H5Dwrite(data.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    throw Error("cannot write dataset " + path + " in " + name.string());
  }
}

template <class T>
std::vector<T> read_numeric(hid_t file, const std::filesystem::path& name,
                            const std::string& path, hid_t memory_type) {
  Handle data(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!data.valid()) throw Error("dataset " + path + " not found in " + name.string());
  Handle space(H5Dget_space(data.get()), H5Sclose);
  hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<T> values(static_cast<std::size_t>(n));
  if (n > 0 && H5Dread(data.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    throw Error("cannot read dataset " + path + " in " + name.string());
  }
  return values;
}

}  // namespace

void H5File::write(const std::string& path, const std::vector<float>& values) {
  write_numeric(as_hid(handle_), file_, path, values, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
}

void H5File::write(const std::string& path, const std::vector<int32_t>& values) {
  write_numeric(as_hid(handle_), file_, path, values, H5T_STD_I32LE, H5T_NATIVE_INT32);
}

void H5File::write(const std::string& path, const std::vector<std::string>& values) {
  hid_t file = as_hid(handle_);
  create_parent_groups(file, path);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  Handle type(utf8_string_type(), H5Tclose);
  hsize_t dims[1] = {values.size()};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle properties(untimed_properties(H5P_DATASET_CREATE), H5Pclose);
  Handle data(H5Dcreate2(file, path.c_str(), type.get(), space.get(), H5P_DEFAULT,
                         properties.get(), H5P_DEFAULT),
              H5Dclose);
  if (!data.valid()) throw Error("cannot create dataset " + path + " in " + file_.string());
  if (!values.empty() &&
      H5Dwrite(data.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) {
    throw Error("cannot write dataset " + path + " in " + file_.string());
  }
}

void H5File::write_attribute(const std::string& name, double value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(H5Acreate2(as_hid(handle_), name.c_str(), H5T_IEEE_F64LE, space.get(),
                              H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose);
  if (!attribute.valid() || H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    throw Error("cannot write attribute " + name + " in " + file_.string());
  }
}

void H5File::write_attribute(const std::string& name, const std::string& value) {
  Handle type(utf8_string_type(), H5Tclose);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attribute(
      H5Acreate2(as_hid(handle_), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Aclose);
  const char* text = value.c_str();
  if (!attribute.valid() || H5Awrite(attribute.get(), type.get(), &text) < 0) {
    throw Error("cannot write attribute " + name + " in " + file_.string());
  }
}

bool H5File::has(const std::string& path) const {
  hid_t file = as_hid(handle_);
  // Every prefix must exist before H5Lexists may be asked about the next.
  for (std::size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    if (H5Lexists(file, path.substr(0, slash).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
}

std::vector<float> H5File::read_floats(const std::string& path) const {
  return read_numeric<float>(as_hid(handle_), file_, path, H5T_NATIVE_FLOAT);
}

std::vector<int32_t> H5File::read_ints(const std::string& path) const {
  return read_numeric<int32_t>(as_hid(handle_), file_, path, H5T_NATIVE_INT32);
}

std::vector<std::string> H5File::read_strings(const std::string& path) const {
  Handle data(H5Dopen2(as_hid(handle_), path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!data.valid()) throw Error("dataset " + path + " not found in " + file_.string());
  Handle space(H5Dget_space(data.get()), H5Sclose);
  hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<char*> pointers(static_cast<std::size_t>(n), nullptr);
  Handle type(utf8_string_type(), H5Tclose);
  if (n > 0 && H5Dread(data.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0) {
    throw Error("cannot read dataset " + path + " in " + file_.string());
  }
  std::vector<std::string> values;
  values.reserve(pointers.size());
  for (char* p : pointers) values.emplace_back(p ? p : "");
  if (n > 0) H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, pointers.data());
  return values;
}

double H5File::read_attribute(const std::string& name) const {
  Handle attribute(H5Aopen(as_hid(handle_), name.c_str(), H5P_DEFAULT), H5Aclose);
  double value = 0;
  if (!attribute.valid() || H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    throw Error("attribute " + name + " not found in " + file_.string());
  }
  return value;
}

std::string H5File::read_string_attribute(const std::string& name) const {
  Handle attribute(H5Aopen(as_hid(handle_), name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(utf8_string_type(), H5Tclose);
  char* text = nullptr;
  if (!attribute.valid() || H5Aread(attribute.get(), type.get(), &text) < 0) {
    throw Error("attribute " + name + " not found in " + file_.string());
  }
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}

}  // namespace alphas
