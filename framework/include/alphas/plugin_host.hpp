// Discovery and loading of alpha plugins with Boost.DLL.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "alphas/alpha.hpp"

namespace alphas {

struct PluginRecord {
  std::filesystem::path file;
  std::string name;
  std::string version;
  int abi_version = 0;
  std::string toolchain;
  std::vector<std::string> families;
  std::vector<std::string> descriptions;
};

// A file of a plugin directory that could not be loaded and was skipped.
struct PluginLoadProblem {
  std::filesystem::path file;
  // The complete error: the file, the reason and the fix.
  std::string message;
};

// The host's handling of a file that cannot be loaded, besides recording it.
enum class LoadProblemLog {
  kWarn,    // log one warning per file (commands that go on without it)
  kSilent,  // only record it (`alphas plugins` prints the problems itself)
};

class PluginHost {
 public:
  // The directories searched by default: the plugin directory next to the
  // binary (build tree: <bin>/../plugins; installed: <bin>/../lib/alphas/plugins)
  // followed by every directory of $ALPHAS_PLUGIN_PATH (':'-separated).
  static std::vector<std::filesystem::path> default_directories();

  // Loads every shared library (*.so) in `directories`. A file that cannot
  // be loaded (not an alphas plugin, built for another ABI or toolchain, a
  // damaged ELF file) is skipped and recorded in load_problems(), so one bad
  // file does not hide the other plugins. Throws PluginError naming both
  // files when two loaded plugins claim one family.
  explicit PluginHost(std::vector<std::filesystem::path> directories,
                      LoadProblemLog log = LoadProblemLog::kWarn);
  ~PluginHost();

  const std::vector<PluginRecord>& plugins() const;
  const std::vector<std::filesystem::path>& directories() const;
  // The skipped files, in load order.
  const std::vector<PluginLoadProblem>& load_problems() const;
  // One "plugin FILE could not be loaded: MESSAGE" line per skipped file, to
  // append to an error about a missing family.
  std::vector<std::string> load_problem_notes() const;
  bool has_family(const std::string& family) const;
  // The plugin providing `family`; throws PluginError listing the available
  // families and the skipped files when none does.
  const PluginRecord& plugin_for(const std::string& family) const;
  // A new alpha of `family`. The returned object keeps its library loaded.
  std::shared_ptr<Alpha> create(const std::string& family) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alphas
