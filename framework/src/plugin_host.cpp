// Discovery and loading of alpha plugins with Boost.DLL.
//
// Load order for one file, each step only after the previous one passed:
//   1. the file is checked to be a whole ELF file (dlopen maps a cut file
//      and can then crash with SIGBUS);
//   2. dlopen (static initializers of the plugin run here, unavoidably);
//   3. alphas_plugin_abi_version(): a mismatch unloads the library at once;
//   4. alphas_plugin_info(): plain data, copied into a PluginRecord;
//   5. the toolchain and the families are checked.
// alphas_plugin_create is called only by PluginHost::create.
#include "alphas/plugin_host.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/system/system_error.hpp>

#include "alphas/error.hpp"
#include "alphas/log.hpp"
#include "alphas/plugin_api.hpp"
#include "elf_check.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;
using Library = boost::dll::shared_library;

constexpr const char* kAbiSymbol = "alphas_plugin_abi_version";
constexpr const char* kInfoSymbol = "alphas_plugin_info";
constexpr const char* kCreateSymbol = "alphas_plugin_create";

// The toolchain string a plugin must report to be loaded by this host.
std::string host_toolchain() { return ALPHAS_COMPILER_ID "/" ALPHAS_STDLIB_ID; }

// One loaded plugin. `create` points into `library`, so it is only called
// while `library` is held.
struct LoadedPlugin {
  PluginRecord record;
  std::shared_ptr<Library> library;
  Alpha* (*create)(const char*) = nullptr;
};

// ---------------------------------------------------------------------------
// Loading one file

// Extracts the dynamic loader's own text from a Boost.DLL load error, which
// reads "...load() failed (dlerror system message: TEXT): ...".
std::string loader_message(const boost::system::system_error& error) {
  const std::string full = error.what();
  const std::string marker = "(dlerror system message: ";
  const auto begin = full.find(marker);
  if (begin == std::string::npos) return full;
  const auto text_begin = begin + marker.size();
  const auto end = full.rfind(')');
  if (end == std::string::npos || end <= text_begin) return full.substr(text_begin);
  return full.substr(text_begin, end - text_begin);
}

// Opens `file`, or returns nullptr and sets `message` to the loader's error.
std::shared_ptr<Library> try_open(const fs::path& file, boost::dll::load_mode::type mode,
                                  std::string& message) {
  try {
    return std::make_shared<Library>(boost::dll::fs::path(file.string()), mode);
  } catch (const boost::system::system_error& error) {
    message = loader_message(error);
    return nullptr;
  }
}

[[noreturn]] void throw_abi_mismatch(const fs::path& file, int plugin_abi,
                                     const std::string& detail = {}) {
  throw PluginError("plugin " + file.string() + " was built for alphas ABI " +
                    std::to_string(plugin_abi) + "; this alphas needs ABI " +
                    std::to_string(ALPHAS_ABI_VERSION) +
                    ". Rebuild the plugin against this alphas." + detail);
}

// Reads the ABI version, first checking that the symbol exists at all.
int read_abi_version(const Library& library, const fs::path& file) {
  if (!library.has(kAbiSymbol)) {
    throw PluginError(file.string() + " is not an alphas plugin (symbol " + kAbiSymbol +
                      " not found)");
  }
  return library.get<int()>(kAbiSymbol)();
}

// A plugin built against another version of the framework can reference a
// framework function that this host does not have; RTLD_NOW then rejects it
// with "undefined symbol". Such a plugin usually reports another ABI too, so
// a lazy load (which binds functions only when called) is tried just to read
// the ABI version and report the mismatch instead. No plugin code other than
// its static initializers and alphas_plugin_abi_version runs.
[[noreturn]] void diagnose_load_failure(const fs::path& file, const std::string& message) {
  if (message.find("undefined symbol") != std::string::npos) {
    std::string lazy_message;
    auto lazy = try_open(file, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local,
                         lazy_message);
    if (lazy && lazy->has(kAbiSymbol)) {
      const int plugin_abi = lazy->get<int()>(kAbiSymbol)();
      if (plugin_abi != ALPHAS_ABI_VERSION) {
        throw_abi_mismatch(file, plugin_abi, " (The loader also reported: " + message + ")");
      }
    }
  }
  throw PluginError("failed to load plugin " + file.string() + ": " + message +
                    ". Check that it is a shared library built for this system and that the "
                    "libraries it links are installed.");
}

// A family name must be usable as a recipe key: non-empty, no spaces.
void check_family_name(const char* family, const fs::path& file) {
  const std::string name = family;
  const bool blank = name.empty() || std::any_of(name.begin(), name.end(), [](unsigned char c) {
                       return std::isspace(c) || std::iscntrl(c);
                     });
  if (blank) {
    throw PluginError("plugin " + file.string() + " declares an invalid alpha family name '" +
                      name + "'; a family name must be non-empty and contain no spaces.");
  }
}

// Copies the plugin's plain-C info record, checking every field.
PluginRecord read_info(const Library& library, const fs::path& file, int abi_version) {
  if (!library.has(kInfoSymbol)) {
    throw PluginError(file.string() + " is not an alphas plugin (symbol " + kInfoSymbol +
                      " not found). Declare it with ALPHAS_PLUGIN(...).");
  }
  const AlphasPluginInfo* info = library.get<const AlphasPluginInfo*()>(kInfoSymbol)();
  if (info == nullptr || info->name == nullptr || info->version == nullptr ||
      info->toolchain == nullptr || info->families == nullptr) {
    throw PluginError("plugin " + file.string() +
                      " returned an incomplete alphas_plugin_info (a null record, name, version, "
                      "toolchain or family list). Declare it with ALPHAS_PLUGIN(...).");
  }
  if (info->abi_version != abi_version) {
    throw PluginError("plugin " + file.string() + " reports ABI " + std::to_string(abi_version) +
                      " from alphas_plugin_abi_version but ABI " +
                      std::to_string(info->abi_version) +
                      " in alphas_plugin_info. Declare it with ALPHAS_PLUGIN(...).");
  }

  PluginRecord record;
  record.file = file;
  record.name = info->name;
  record.version = info->version;
  record.abi_version = abi_version;
  record.toolchain = info->toolchain;
  bool descriptions_left = info->descriptions != nullptr;
  for (std::size_t i = 0; info->families[i] != nullptr; ++i) {
    check_family_name(info->families[i], file);
    record.families.emplace_back(info->families[i]);
    // The description list may be shorter than the family list or absent.
    if (descriptions_left && info->descriptions[i] == nullptr) descriptions_left = false;
    record.descriptions.emplace_back(descriptions_left ? info->descriptions[i] : "");
  }
  return record;
}

void check_record(const PluginRecord& record) {
  const std::string& file = record.file.string();
  if (record.toolchain != host_toolchain()) {
    throw PluginError("plugin '" + record.name + "' (" + file + ") was built with " +
                      record.toolchain + "; this alphas was built with " + host_toolchain() +
                      ". Alpha objects cross the library boundary as C++ objects, so rebuild "
                      "the plugin with the same compiler and standard library.");
  }
  if (record.families.empty()) {
    throw PluginError("plugin '" + record.name + "' (" + file +
                      ") declares no alpha families; list at least one in ALPHAS_PLUGIN(...).");
  }
  for (std::size_t i = 0; i < record.families.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (record.families[i] == record.families[j]) {
        throw PluginError("plugin '" + record.name + "' (" + file + ") declares alpha family '" +
                          record.families[i] + "' twice.");
      }
    }
  }
}

// NOTE: the file can still change between this check and dlopen; the
// check guards against files left damaged, not against concurrent writers.
void reject_damaged_elf(const fs::path& file) {
  if (const auto damage = plugin_detail::find_elf_damage(file)) {
    throw PluginError("plugin " + file.string() + ": damaged ELF file (" + *damage +
                      "); rebuild or remove it");
  }
}

LoadedPlugin load_plugin(const fs::path& file) {
  reject_damaged_elf(file);

  // RTLD_LOCAL: every plugin exports the same entry-point names, so none of
  // its symbols may enter the global namespace where it could interpose on
  // another plugin's. The framework, LibTorch and other libraries a plugin
  // links are its DT_NEEDED dependencies, which the loader maps once and
  // shares between the host and every plugin.
  // RTLD_NOW: an unresolved symbol fails here, with the loader's message,
  // instead of aborting the process when the function is first called.
  std::string message;
  auto library = try_open(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                          message);
  if (!library) diagnose_load_failure(file, message);

  const int abi_version = read_abi_version(*library, file);
  if (abi_version != ALPHAS_ABI_VERSION) {
    // `library` goes out of scope while the exception propagates, which
    // unloads it before anything else of the plugin runs.
    throw_abi_mismatch(file, abi_version);
  }

  LoadedPlugin plugin;
  plugin.record = read_info(*library, file, abi_version);
  check_record(plugin.record);
  if (!library->has(kCreateSymbol)) {
    throw PluginError("plugin '" + plugin.record.name + "' (" + file.string() +
                      ") has no symbol " + kCreateSymbol +
                      "; define the factory with ALPHAS_PLUGIN_FACTORY.");
  }
  plugin.create = &library->get<Alpha*(const char*)>(kCreateSymbol);
  plugin.library = std::move(library);
  return plugin;
}

// ---------------------------------------------------------------------------
// Discovery

// The *.so files of `directory` in sorted order, or none if it is missing.
std::vector<fs::path> plugin_files(const fs::path& directory) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::is_directory(directory, error)) return files;
  fs::directory_iterator entry(directory, error);
  for (; !error && entry != fs::directory_iterator(); entry.increment(error)) {
    if (entry->path().extension() != ".so") continue;
    std::error_code status_error;
    if (entry->is_regular_file(status_error)) {  // follows symbolic links
      files.push_back(entry->path());
    } else if (status_error) {
      host_log().warn("skipping {} in the plugin directory: {}", entry->path().string(),
                      status_error.message());
    }
  }
  if (error) {
    throw PluginError("failed to list plugin directory " + directory.string() + ": " +
                      error.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A key under which one file or directory is seen only once, even when it is
// reached through two spellings or a symbolic link.
std::string identity(const fs::path& path) {
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(path, error);
  return (error ? fs::absolute(path) : canonical).lexically_normal().string();
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += separator;
    text += words[i];
  }
  return text;
}

// Levenshtein distance, ignoring ASCII case.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// The family closest in spelling to `family`, or "" when none is within a
// third of its length (at least 2 edits are always allowed).
std::string nearest_family(const std::string& family, const std::vector<std::string>& families) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, family.size() / 3) + 1;
  for (const auto& candidate : families) {
    const std::size_t distance = edit_distance(family, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

struct PluginHost::Impl {
  std::vector<fs::path> directories;
  std::vector<LoadedPlugin> loaded;
  std::vector<PluginRecord> records;
  std::vector<PluginLoadProblem> problems;
  std::map<std::string, std::size_t> family_index;  // family -> index into `loaded`

  void load(const fs::path& file, LoadProblemLog log);
  void add(LoadedPlugin plugin) {
    const std::size_t index = loaded.size();
    for (const auto& family : plugin.record.families) {
      const auto [found, inserted] = family_index.emplace(family, index);
      if (!inserted) {
        throw PluginError("alpha family '" + family + "' is provided by two plugins: " +
                          loaded[found->second].record.file.string() + " and " +
                          plugin.record.file.string() +
                          ". Remove one of them from the plugin directories.");
      }
    }
    records.push_back(plugin.record);
    loaded.push_back(std::move(plugin));
  }

  const LoadedPlugin& find(const std::string& family) const;
  std::vector<std::string> problem_notes() const;
};

// Loads one file, or records why it cannot be loaded and skips it. Only a
// PluginError is a load problem: anything else is a fault of the host.
void PluginHost::Impl::load(const fs::path& file, LoadProblemLog log) {
  const auto start = std::chrono::steady_clock::now();
  LoadedPlugin plugin;
  try {
    plugin = load_plugin(file);
  } catch (const PluginError& error) {
    problems.push_back({file, error.what()});
    if (log == LoadProblemLog::kWarn) {
      host_log().warn("skipping plugin file {}: {}", file.string(), error.what());
    }
    return;
  }
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  host_log().debug("loaded plugin '{}' {} from {} in {:.1f} ms (families: {})", plugin.record.name,
                   plugin.record.version, file.string(), elapsed.count(),
                   join(plugin.record.families, ", "));
  add(std::move(plugin));
}

std::vector<std::string> PluginHost::Impl::problem_notes() const {
  std::vector<std::string> notes;
  for (const auto& problem : problems) {
    notes.push_back("plugin " + problem.file.string() + " could not be loaded: " + problem.message);
  }
  return notes;
}

const LoadedPlugin& PluginHost::Impl::find(const std::string& family) const {
  const auto found = family_index.find(family);
  if (found != family_index.end()) return loaded[found->second];

  std::vector<std::string> families;
  for (const auto& entry : family_index) families.push_back(entry.first);
  std::vector<std::string> searched;
  for (const auto& directory : directories) {
    std::error_code error;
    searched.push_back(directory.string() +
                       (fs::is_directory(directory, error) ? "" : " (missing)"));
  }

  std::string message = "no plugin provides alpha family '" + family + "'";
  const std::string suggestion = nearest_family(family, families);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  if (!families.empty()) {
    message += ". Families available: " + join(families, ", ") + ".";
  } else {
    message += problems.empty() ? ". No plugins were found." : ". No plugin could be loaded.";
  }
  message += " Directories searched: " + (searched.empty() ? "none" : join(searched, ", ")) +
             ". Add the directory of the plugin to ALPHAS_PLUGIN_PATH (':'-separated).";
  // A skipped file may be the one that provides `family`.
  for (const auto& note : problem_notes()) message += "\n" + note;
  throw PluginError(message);
}

std::vector<fs::path> PluginHost::default_directories() {
  std::vector<fs::path> directories;
  boost::dll::fs::error_code error;
  const auto program = boost::dll::program_location(error);
  if (!error) {
    const fs::path bin = fs::path(program.string()).parent_path();
    directories.push_back((bin / ".." / "plugins").lexically_normal());
#ifdef ALPHAS_PLUGIN_INSTALL_RELDIR
    // The install layout relative to the prefix, when the build defines it.
    directories.push_back((bin / ".." / ALPHAS_PLUGIN_INSTALL_RELDIR).lexically_normal());
#else
    directories.push_back((bin / ".." / "lib" / "alphas" / "plugins").lexically_normal());
#endif
  }

  if (const char* path = std::getenv("ALPHAS_PLUGIN_PATH")) {
    std::stringstream entries(path);
    std::string entry;
    while (std::getline(entries, entry, ':')) {
      if (entry.empty()) continue;
      directories.push_back(fs::absolute(entry).lexically_normal());
    }
  }
  return directories;
}

PluginHost::PluginHost(std::vector<fs::path> directories, LoadProblemLog log)
    : impl_(std::make_unique<Impl>()) {
  impl_->directories = std::move(directories);
  std::vector<std::string> seen_directories;
  std::vector<std::string> seen_files;
  for (const auto& directory : impl_->directories) {
    const std::string directory_key = identity(directory);
    if (std::find(seen_directories.begin(), seen_directories.end(), directory_key) !=
        seen_directories.end()) {
      continue;
    }
    seen_directories.push_back(directory_key);

    for (const auto& file : plugin_files(directory)) {
      const std::string file_key = identity(file);
      if (std::find(seen_files.begin(), seen_files.end(), file_key) != seen_files.end()) continue;
      seen_files.push_back(file_key);
      impl_->load(file, log);
    }
  }
}

PluginHost::~PluginHost() = default;

const std::vector<PluginRecord>& PluginHost::plugins() const { return impl_->records; }

const std::vector<fs::path>& PluginHost::directories() const { return impl_->directories; }

const std::vector<PluginLoadProblem>& PluginHost::load_problems() const {
  return impl_->problems;
}

std::vector<std::string> PluginHost::load_problem_notes() const { return impl_->problem_notes(); }

bool PluginHost::has_family(const std::string& family) const {
  return impl_->family_index.count(family) > 0;
}

const PluginRecord& PluginHost::plugin_for(const std::string& family) const {
  return impl_->find(family).record;
}

std::shared_ptr<Alpha> PluginHost::create(const std::string& family) const {
  const LoadedPlugin& plugin = impl_->find(family);
  const std::string where =
      "plugin '" + plugin.record.name + "' (" + plugin.record.file.string() + ")";

  Alpha* alpha = nullptr;
  try {
    alpha = plugin.create(family.c_str());
  } catch (const std::exception& error) {
    throw PluginError(where + " failed to create an alpha of family '" + family +
                      "': " + error.what());
  } catch (...) {
    throw PluginError(where + " failed to create an alpha of family '" + family +
                      "': it threw an exception that is not a std::exception");
  }
  if (alpha == nullptr) {
    throw PluginError(where + " failed to create an alpha of family '" + family +
                      "' (its factory returned nullptr)");
  }

  // The deleter owns a reference to the library, so the library stays loaded
  // until the alpha's destructor (plugin code) has run, even when the
  // PluginHost is gone by then.
  std::shared_ptr<Library> library = plugin.library;
  return std::shared_ptr<Alpha>(alpha, [library](Alpha* owned) { delete owned; });
}

}  // namespace alphas
