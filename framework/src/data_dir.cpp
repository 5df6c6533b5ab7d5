#include "alphas/data_dir.hpp"

#include <cstdlib>

#include "alphas/error.hpp"

namespace alphas {

DataDir::DataDir(std::filesystem::path root) : root_(std::move(root)) {}

DataDir DataDir::resolve(const std::optional<std::string>& explicit_root) {
  if (explicit_root && !explicit_root->empty()) return DataDir(*explicit_root);
  if (const char* env = std::getenv("ALPHAS_DATA_DIR"); env && *env) return DataDir(env);
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return DataDir(std::filesystem::path(xdg) / "alphas");
  }
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    throw InputError(
        "cannot choose a data directory: HOME is not set; pass --data-dir or set "
        "ALPHAS_DATA_DIR");
  }
  return DataDir(std::filesystem::path(home) / ".local" / "share" / "alphas");
}

bool DataDir::has_dataset() const {
  return std::filesystem::exists(dataset_file()) && std::filesystem::exists(manifest_file());
}

bool DataDir::has_alpha(const std::string& name) const {
  return std::filesystem::exists(predictions_file(name)) &&
         std::filesystem::exists(params_file(name)) && std::filesystem::exists(metrics_file(name));
}

}  // namespace alphas
