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

class PluginHost {
 public:
  // The directories searched by default: the plugin directory next to the
  // binary (build tree: <bin>/../plugins; installed: <bin>/../lib/alphas/plugins)
  // followed by every directory of $ALPHAS_PLUGIN_PATH (':'-separated).
  static std::vector<std::filesystem::path> default_directories();

  // Loads every shared library (*.so) in `directories`. Throws PluginError
  // naming the file for a library that is not an alphas plugin, one built
  // for another ABI or toolchain, a damaged (for example truncated) ELF
  // file, and naming both files when two plugins claim one family.
  explicit PluginHost(std::vector<std::filesystem::path> directories);
  ~PluginHost();

  const std::vector<PluginRecord>& plugins() const;
  const std::vector<std::filesystem::path>& directories() const;
  bool has_family(const std::string& family) const;
  // The plugin providing `family`; throws PluginError listing the available
  // families when none does.
  const PluginRecord& plugin_for(const std::string& family) const;
  // A new alpha of `family`. The returned object keeps its library loaded.
  std::shared_ptr<Alpha> create(const std::string& family) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alphas
