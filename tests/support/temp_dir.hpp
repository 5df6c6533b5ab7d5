// Test helpers: a temporary directory and small hand-made datasets.
#pragma once

#include <filesystem>
#include <string>

#include "alphas/data_dir.hpp"
#include "alphas/dataset.hpp"

namespace alphas::testing {

// A fresh directory under the system temp folder, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `file`, creating parent folders.
void write_file(const std::filesystem::path& file, const std::string& text);

// Builds a Dataset from explicit split tables; ids are "u<k>" and "i<k>",
// the implicit list is every training pair, the scale is 1-10.
Dataset make_dataset(int32_t n_users, int32_t n_items, Ratings training, Ratings validation,
                     Ratings test);

// Saves `dataset` into dir (dataset.h5 plus a minimal manifest).
void install_dataset(const DataDir& dir, const Dataset& dataset);

}  // namespace alphas::testing
