// Paths inside a data directory, the root of everything alphas writes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace alphas {

// Layout:
//   <root>/dataset/dataset.h5        splits and id maps (see dataset.hpp)
//   <root>/dataset/manifest.json     sources with sha256, counts, seed
//   <root>/alphas/<name>/            one folder per alpha output:
//       predictions.h5                 /training, /validation, /test float32
//       params.json                    hyperparameters, inputs, seeds
//       metrics.json                   training and validation metrics
//       log.txt                        the run's log
//   <root>/recipe.yaml               the recipe of the last run
//   <root>/reports/                  ensemble reports
class DataDir {
 public:
  explicit DataDir(std::filesystem::path root);

  // Resolves the data directory: the explicit value if given, else
  // $ALPHAS_DATA_DIR, else $XDG_DATA_HOME/alphas, else ~/.local/share/alphas.
  // Throws InputError for an empty explicit value or an empty
  // $ALPHAS_DATA_DIR, and for a chosen path that exists but is not a
  // directory. A path that does not exist yet is returned as is.
  static DataDir resolve(const std::optional<std::string>& explicit_root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path dataset_dir() const { return root_ / "dataset"; }
  std::filesystem::path dataset_file() const { return dataset_dir() / "dataset.h5"; }
  std::filesystem::path manifest_file() const { return dataset_dir() / "manifest.json"; }
  std::filesystem::path alphas_dir() const { return root_ / "alphas"; }
  std::filesystem::path alpha_dir(const std::string& name) const { return alphas_dir() / name; }
  std::filesystem::path predictions_file(const std::string& name) const {
    return alpha_dir(name) / "predictions.h5";
  }
  std::filesystem::path params_file(const std::string& name) const {
    return alpha_dir(name) / "params.json";
  }
  std::filesystem::path metrics_file(const std::string& name) const {
    return alpha_dir(name) / "metrics.json";
  }
  std::filesystem::path log_file(const std::string& name) const {
    return alpha_dir(name) / "log.txt";
  }
  std::filesystem::path recipe_file() const { return root_ / "recipe.yaml"; }
  std::filesystem::path reports_dir() const { return root_ / "reports"; }
  std::filesystem::path lock_file() const { return root_ / "lock"; }

  bool has_dataset() const;
  // True when the alpha's predictions, params and metrics all exist.
  bool has_alpha(const std::string& name) const;

 private:
  std::filesystem::path root_;
};

}  // namespace alphas
