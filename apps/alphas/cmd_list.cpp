// `alphas list`: the alphas and ensembles of the recipe with their state.
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "alphas/error.hpp"
#include "alphas/runner.hpp"
#include "commands.hpp"

namespace alphas::cli {

namespace {

namespace po = boost::program_options;

// A metric with 4 decimals, or "-" when the output has none.
std::string metric_text(const std::optional<double>& value) {
  if (!value) return "-";
  std::ostringstream text;
  text << std::fixed << std::setprecision(4) << *value;
  return text.str();
}

nlohmann::ordered_json json_number(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

// Statuses in recipe order: alphas as defined, then ensembles.
std::vector<NodeStatus> in_recipe_order(const Recipe& recipe, std::vector<NodeStatus> statuses) {
  std::vector<std::string> order;
  for (const auto& alpha : recipe.alphas) order.push_back(alpha.name);
  for (const auto& ensemble : recipe.ensembles) order.push_back(ensemble.name);
  std::vector<NodeStatus> sorted;
  for (const auto& name : order) {
    for (auto& status : statuses) {
      if (status.name == name) sorted.push_back(std::move(status));
    }
  }
  return sorted;
}

void print_table(const std::vector<NodeStatus>& statuses) {
  std::size_t name_width = 4, family_width = 6;
  for (const auto& s : statuses) {
    name_width = std::max(name_width, s.name.size());
    family_width = std::max(family_width, s.family.size());
  }
  const std::string rmse_header = "val RMSE (own target)";
  const std::string r2_header = "val R2";
  std::cout << pad("name", name_width) << "  " << pad("family", family_width) << "  "
            << pad("state", 7) << "  " << rmse_header << "  " << r2_header << "  note\n";
  for (const auto& s : statuses) {
    std::cout << pad(s.name, name_width) << "  " << pad(s.family, family_width) << "  "
              << pad(state_name(s.state), 7) << "  "
              << pad(metric_text(s.validation_rmse), rmse_header.size()) << "  "
              << pad(metric_text(s.validation_r2), r2_header.size()) << "  "
              << (s.state == OutputState::done ? "" : s.reason) << "\n";
  }
}

void print_json(const std::vector<NodeStatus>& statuses) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& s : statuses) {
    list.push_back({{"name", s.name},
                    {"family", s.family},
                    {"state", state_name(s.state)},
                    {"reason", s.reason},
                    {"validation_rmse", json_number(s.validation_rmse)},
                    {"validation_r2", json_number(s.validation_r2)}});
  }
  std::cout << list.dump(2) << "\n";
}

}  // namespace

int cmd_list(const GlobalOptions& global, const Args& args) {
  po::options_description options("Options of 'alphas list'");
  options.add_options()
      ("help,h", "print this help")
      ("recipe", po::value<std::string>(),
       "recipe file (default: the one recorded in the data directory, else the reference)")
      ("format", po::value<std::string>()->default_value("table"), "table or json");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: alphas [global options] list [--recipe FILE] [--format table|json]\n\n"
                 "Lists the alphas and ensembles of the recipe with their state in the data\n"
                 "directory (done, stale with the reason, or missing) and the validation RMSE\n"
                 "and R2 of the stored output: for an alpha, of b * prediction against its own\n"
                 "target, the residual it was trained to predict (so a residual alpha has a\n"
                 "small R2 however good the blend is); for an ensemble, of the blend against\n"
                 "the ratings. JSON keys: validation_rmse, validation_r2.\n\n"
              << options << "\n";
    return 0;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    throw InputError("--format must be table or json (got '" + format + "')");
  }

  std::optional<std::filesystem::path> explicit_recipe;
  if (vm.count("recipe")) explicit_recipe = vm["recipe"].as<std::string>();
  const auto share_dir = default_share_dir();
  const auto recipe_file = choose_recipe_file(global.data_dir, explicit_recipe, share_dir);
  PluginHost host(PluginHost::default_directories());
  Runner runner(read_resolved_recipe(recipe_file), global.data_dir, host, share_dir);
  const auto statuses = in_recipe_order(runner.recipe(), runner.status({}));

  if (format == "json") {
    print_json(statuses);
    return 0;
  }
  std::cout << "Recipe: " << recipe_file.string() << "\nData directory: "
            << global.data_dir.root().string() << "\n\n";
  print_table(statuses);
  return 0;
}

}  // namespace alphas::cli
