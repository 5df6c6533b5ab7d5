#include "support/temp_dir.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>

#include "alphas/atomic_file.hpp"

namespace alphas::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("alphas-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

Dataset make_dataset(int32_t n_users, int32_t n_items, Ratings training, Ratings validation,
                     Ratings test) {
  Dataset d;
  d.n_users = n_users;
  d.n_items = n_items;
  d.implicit_training = training;
  for (float& r : d.implicit_training.rating) r = 1.0f;
  d.training = std::move(training);
  d.validation = std::move(validation);
  d.test = std::move(test);
  for (int32_t u = 0; u < n_users; ++u) d.user_ids.push_back("u" + std::to_string(u));
  for (int32_t i = 0; i < n_items; ++i) d.item_ids.push_back("i" + std::to_string(i));
  d.seed = 7;
  return d;
}

void install_dataset(const DataDir& dir, const Dataset& dataset) {
  std::filesystem::create_directories(dir.dataset_dir());
  save_dataset(dataset, dir.dataset_file());
  write_text_atomically(dir.manifest_file(), "{\"source\": \"test\"}\n");
}

}  // namespace alphas::testing
