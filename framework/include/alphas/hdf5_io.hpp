// Minimal HDF5 reading and writing of flat arrays, for datasets and
// predictions that Python (h5py) and Julia (HDF5.jl) read directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace alphas {

// An open HDF5 file. Paths such as "training/user" create intermediate groups
// on write. Errors throw alphas::Error naming the file and the dataset.
class H5File {
 public:
  enum class Mode { read, create };
  H5File(const std::filesystem::path& file, Mode mode);
  ~H5File();
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  void write(const std::string& path, const std::vector<float>& values);
  void write(const std::string& path, const std::vector<int32_t>& values);
  void write(const std::string& path, const std::vector<std::string>& values);
  void write_attribute(const std::string& name, double value);
  void write_attribute(const std::string& name, const std::string& value);

  bool has(const std::string& path) const;
  std::vector<float> read_floats(const std::string& path) const;
  std::vector<int32_t> read_ints(const std::string& path) const;
  std::vector<std::string> read_strings(const std::string& path) const;
  double read_attribute(const std::string& name) const;
  std::string read_string_attribute(const std::string& name) const;

 private:
  int64_t handle_;
  std::filesystem::path file_;
};

}  // namespace alphas
