// `alphas plugins`: lists the plugins found, as a table or as JSON.
#include <algorithm>
#include <iostream>
#include <string>
#include <system_error>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "alphas/error.hpp"
#include "alphas/format_count.hpp"
#include "alphas/plugin_host.hpp"
#include "commands.hpp"

namespace alphas::cli {
namespace {

namespace po = boost::program_options;

struct PluginsOptions {
  std::string format = "table";
  bool check = false;
};

// Creates and destroys one alpha of every family; PluginHost::create throws
// PluginError naming the plugin, file and family when a factory fails.
int check_factories(const PluginHost& host) {
  int checked = 0;
  for (const auto& plugin : host.plugins()) {
    for (const auto& family : plugin.families) {
      host.create(family).reset();
      ++checked;
    }
  }
  return checked;
}

nlohmann::ordered_json to_json(const std::vector<PluginRecord>& plugins) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& plugin : plugins) {
    auto families = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < plugin.families.size(); ++i) {
      families.push_back({{"name", plugin.families[i]}, {"description", plugin.descriptions[i]}});
    }
    list.push_back({{"file", plugin.file.string()},
                    {"name", plugin.name},
                    {"version", plugin.version},
                    {"abi_version", plugin.abi_version},
                    {"toolchain", plugin.toolchain},
                    {"families", families}});
  }
  return list;
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// NAME / VERSION / ABI / FILE, each plugin followed by its families, one
// per line, indented, with their descriptions.
void print_table(const PluginHost& host, std::ostream& out) {
  out << "Plugin directories, in search order:\n";
  for (const auto& directory : host.directories()) {
    std::error_code error;
    out << "  " << directory.string()
        << (std::filesystem::is_directory(directory, error) ? "" : " (missing)") << "\n";
  }
  out << "\n";
  const auto& plugins = host.plugins();
  if (plugins.empty() && !host.load_problems().empty()) {
    out << "No plugin could be loaded.\n";
    return;
  }
  if (plugins.empty()) {
    out << "No plugins found. Add a directory with ALPHAS_PLUGIN_PATH (':'-separated).\n";
    return;
  }

  std::size_t name_width = 4, version_width = 7, family_width = 0;
  for (const auto& plugin : plugins) {
    name_width = std::max(name_width, plugin.name.size());
    version_width = std::max(version_width, plugin.version.size());
    for (const auto& family : plugin.families) family_width = std::max(family_width, family.size());
  }
  name_width += 2;
  version_width += 2;
  family_width += 4;

  out << pad("NAME", name_width) << pad("VERSION", version_width) << pad("ABI", 5) << "FILE\n";
  for (const auto& plugin : plugins) {
    out << pad(plugin.name, name_width) << pad(plugin.version, version_width)
        << pad(std::to_string(plugin.abi_version), 5) << plugin.file.string() << "\n";
    for (std::size_t i = 0; i < plugin.families.size(); ++i) {
      out << "  " << pad(plugin.families[i], family_width) << plugin.descriptions[i] << "\n";
    }
  }
}

// Lists every file that could not be loaded, with its reason and fix.
void print_load_problems(const PluginHost& host, std::ostream& out) {
  const auto& problems = host.load_problems();
  if (problems.empty()) return;
  out << "\n" << format_count(static_cast<long long>(problems.size()), "plugin file") << " could not be loaded:\n";
  for (const auto& problem : problems) {
    out << "  " << problem.file.string() << "\n    " << problem.message << "\n";
  }
}

}  // namespace

int cmd_plugins(const GlobalOptions&, const Args& args) {
  PluginsOptions options;
  po::options_description described("Options of 'alphas plugins'");
  described.add_options()
      ("help,h", "print this help")
      ("format", po::value<std::string>(&options.format)->default_value("table"),
       "output format: 'table' (for reading) or 'json' (an array with one object per plugin)")
      ("check", po::bool_switch(&options.check),
       "also create and destroy one alpha of every family, to check that each factory works");

  po::variables_map vm;
  po::store(po::command_line_parser(args).options(described).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: alphas plugins [--format table|json] [--check]\n\n"
              << "Lists the alpha plugins found in the plugin directories: the folder next to\n"
              << "the program (build tree: <bin>/../plugins; installed:\n"
              << "<bin>/../lib/alphas/plugins), then each folder of $ALPHAS_PLUGIN_PATH\n"
              << "(':'-separated). A file that cannot be loaded is listed after the plugins\n"
              << "(on stderr with --format json), and the exit status is then 1.\n\n"
              << described << "\n";
    return 0;
  }
  if (options.format != "table" && options.format != "json") {
    throw InputError("invalid --format '" + options.format + "'; use 'table' or 'json'");
  }

  const PluginHost host(PluginHost::default_directories(), LoadProblemLog::kSilent);
  const int checked = options.check ? check_factories(host) : 0;

  if (options.format == "json") {
    std::cout << to_json(host.plugins()).dump(2) << "\n";
    print_load_problems(host, std::cerr);
  } else {
    print_table(host, std::cout);
    if (options.check) {
      std::cout << "\nChecked " << format_count(checked, "family", "families")
                << ": every factory created an alpha.\n";
    }
    print_load_problems(host, std::cout);
  }
  return host.load_problems().empty() ? 0 : 1;
}

}  // namespace alphas::cli
