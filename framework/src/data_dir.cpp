#include "alphas/data_dir.hpp"

#include <cstdlib>
#include <system_error>

#include "alphas/error.hpp"

namespace alphas {

DataDir::DataDir(std::filesystem::path root) : root_(std::move(root)) {}

namespace {

constexpr const char* kDefaultsText =
    "$ALPHAS_DATA_DIR, else $XDG_DATA_HOME/alphas, else ~/.local/share/alphas";

// The chosen root and where it came from, for messages.
struct Choice {
  std::filesystem::path root;
  std::string source;
};

Choice choose_root(const std::optional<std::string>& explicit_root) {
  if (explicit_root) {
    if (explicit_root->empty()) {
      throw InputError("--data-dir is empty; pass a directory path, or leave out --data-dir to use "
                       "the default (" + std::string(kDefaultsText) + ")");
    }
    return {*explicit_root, "--data-dir"};
  }
  if (const char* env = std::getenv("ALPHAS_DATA_DIR")) {
    if (*env == '\0') {
      throw InputError("ALPHAS_DATA_DIR is set but empty; set it to a directory path, or unset it "
                       "to use $XDG_DATA_HOME/alphas, else ~/.local/share/alphas");
    }
    return {env, "ALPHAS_DATA_DIR"};
  }
  // An empty XDG_DATA_HOME counts as unset, as in the XDG Base Directory
  // Specification.
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return {std::filesystem::path(xdg) / "alphas", "XDG_DATA_HOME"};
  }
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    throw InputError(
        "cannot choose a data directory: HOME is not set; pass --data-dir or set "
        "ALPHAS_DATA_DIR");
  }
  return {std::filesystem::path(home) / ".local" / "share" / "alphas", "HOME"};
}

// A root that does not exist yet is fine (commands that write create it),
// but an existing file or other non-directory is not.
void reject_non_directory(const Choice& choice) {
  std::error_code error;
  const auto status = std::filesystem::status(choice.root, error);
  if (error || !std::filesystem::exists(status) || std::filesystem::is_directory(status)) return;
  const std::string kind =
      std::filesystem::is_regular_file(status) ? "an existing file" : "an existing non-directory";
  throw InputError("data directory " + choice.root.string() + " (from " + choice.source +
                   ") is not a directory: it is " + kind +
                   "; pass a directory path, or move the file away");
}

}  // namespace

DataDir DataDir::resolve(const std::optional<std::string>& explicit_root) {
  const Choice choice = choose_root(explicit_root);
  reject_non_directory(choice);
  return DataDir(choice.root);
}

bool DataDir::has_dataset() const {
  return std::filesystem::exists(dataset_file()) && std::filesystem::exists(manifest_file());
}

bool DataDir::has_alpha(const std::string& name) const {
  return std::filesystem::exists(predictions_file(name)) &&
         std::filesystem::exists(params_file(name)) && std::filesystem::exists(metrics_file(name));
}

}  // namespace alphas
