// `alphas show`: one stored alpha or ensemble: metrics, parameters, inputs.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "alphas/atomic_file.hpp"
#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"
#include "alphas/recipe.hpp"
#include "alphas/runner.hpp"
#include "commands.hpp"

namespace alphas::cli {

namespace {

namespace po = boost::program_options;

nlohmann::json read_json_file(const std::filesystem::path& file) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_text(file));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + " is not valid JSON (" + e.what() +
                "); rerun the alpha with 'alphas run NAME --force'");
  }
  if (!json.is_object()) {
    throw Error(file.string() + " is not a JSON object; rerun the alpha with 'alphas run NAME "
                "--force'");
  }
  return json;
}

// Names of the stored outputs, for the message about a missing one.
std::vector<std::string> stored_outputs(const DataDir& dir) {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(dir.alphas_dir(), ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    if (dir.has_alpha(name) || std::filesystem::exists(ensemble_json_file(dir, name))) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// params.json with metrics.json under "metrics".
nlohmann::json alpha_json(const DataDir& dir, const std::string& name) {
  nlohmann::json json = read_json_file(dir.params_file(name));
  json["metrics"] = read_json_file(dir.metrics_file(name));
  json["output"] = dir.alpha_dir(name).string();
  return json;
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_number_float()) {
    std::ostringstream text;
    text << std::setprecision(6) << value.get<double>();
    return text.str();
  }
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string list_text(const nlohmann::json& list) {
  if (!list.is_array() || list.empty()) return "(none: the ratings themselves)";
  std::string text;
  for (const auto& entry : list) text += (text.empty() ? "" : ", ") + value_text(entry);
  return text;
}

// The list under `key` of params.json, or under `old_key`, its name in
// outputs written by earlier versions of alphas.
nlohmann::json stored_list(const nlohmann::json& params, const char* key, const char* old_key) {
  if (params.contains(key)) return params[key];
  return params.value(old_key, nlohmann::json());
}

void print_map(const std::string& title, const nlohmann::json& map) {
  std::cout << title << ":";
  if (!map.is_object() || map.empty()) {
    std::cout << " (none)\n";
    return;
  }
  std::cout << "\n";
  for (const auto& [key, value] : map.items()) {
    std::cout << "  " << key << " = " << value_text(value) << "\n";
  }
}

// An implicit output stores list probabilities, and its metrics are their
// cross-entropy. Outputs of earlier versions lack the "implicit" flag but
// have only cross-entropy metrics.
bool is_implicit(const nlohmann::json& json, const nlohmann::json& metrics) {
  if (json.contains("implicit")) return json["implicit"] == true;
  for (const auto& [split, values] : metrics.items()) {
    if (values.contains("cross_entropy") && !values.contains("rmse")) return true;
  }
  return false;
}

std::string metrics_label(const nlohmann::json& json, const nlohmann::json& metrics) {
  if (is_implicit(json, metrics)) {
    return "cross-entropy of the list probabilities: mean -log p over the split's pairs, "
           "each on its user's list";
  }
  return "b * prediction against the target residuals";
}

void print_alpha(const nlohmann::json& json) {
  std::cout << json.value("name", std::string("?")) << "  (family "
            << json.value("family", std::string("?")) << ", plugin version "
            << json.value("plugin_version", std::string("?")) << ", seed "
            << value_text(json.value("seed", nlohmann::json())) << ")\n"
            << "inputs:  " << list_text(stored_list(json, "inputs", "residual_alphas")) << "\n"
            << "targets: " << list_text(stored_list(json, "targets", "target_alphas")) << "\n";
  print_map("params", json.value("params", nlohmann::json()));
  print_map("fitted", json.value("fitted", nlohmann::json()));

  // The usual columns first, then any other key a split has.
  const nlohmann::json metrics = json.value("metrics", nlohmann::json::object());
  std::vector<std::string> columns;
  for (const char* usual : {"rmse", "mae", "r2", "b", "cross_entropy", "n"}) {
    for (const auto& [split, values] : metrics.items()) {
      if (values.contains(usual) && std::find(columns.begin(), columns.end(), usual) == columns.end()) {
        columns.push_back(usual);
      }
    }
  }
  for (const auto& [split, values] : metrics.items()) {
    for (const auto& [key, value] : values.items()) {
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
    }
  }
  std::cout << "metrics (" << metrics_label(json, metrics) << "):\n  "
            << std::setw(12) << std::left << "split";
  for (const auto& column : columns) std::cout << std::setw(12) << std::right << column;
  std::cout << "\n";
  for (const auto& [split, values] : metrics.items()) {
    std::cout << "  " << std::setw(12) << std::left << split;
    for (const auto& column : columns) {
      std::cout << std::setw(12) << std::right
                << (values.contains(column) ? value_text(values[column]) : "-");
    }
    std::cout << "\n";
  }
  std::cout << "output: " << json.value("output", std::string()) << "\n";
}

// The recipe that `alphas list` would use, or nothing when it cannot be read.
std::optional<Recipe> current_recipe(const DataDir& dir) {
  try {
    return read_resolved_recipe(choose_recipe_file(dir, std::nullopt, default_share_dir()));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Why `name` has no stored output: an alpha or ensemble of the recipe that
// has not run, maybe an extra output of an alpha (GNN.1.Implicit of GNN.1),
// or a name the recipe does not define, with the nearest defined name.
std::string missing_output_message(const DataDir& dir, const std::string& name) {
  const std::vector<std::string> stored = stored_outputs(dir);
  const std::string where = " in " + dir.alphas_dir().string() +
                            (stored.empty() ? std::string(" (nothing has run yet)")
                                            : " (stored: " + join_names(stored) + ")");
  const std::optional<Recipe> recipe = current_recipe(dir);
  if (!recipe) {
    return "no stored output named '" + name + "'" + where +
           "; 'alphas list' shows the names of the recipe";
  }
  const std::string recipe_file = recipe->file.string();
  if (recipe->find_alpha(name) || recipe->find_ensemble(name)) {
    return "no stored output named '" + name + "'" + where + "; it is defined in recipe " +
           recipe_file + ", so run 'alphas run " + name + "' first";
  }
  for (const auto& alpha : recipe->alphas) {
    if (name.rfind(alpha.name + ".", 0) == 0) {
      return "no stored output named '" + name + "'" + where + "; if it is an extra output of "
             "alpha '" + alpha.name + "' of recipe " + recipe_file + ", run 'alphas run " +
             alpha.name + "' first";
    }
  }

  std::vector<std::string> known = stored;
  for (const auto& alpha : recipe->alphas) known.push_back(alpha.name);
  for (const auto& ensemble : recipe->ensembles) known.push_back(ensemble.name);
  const std::string nearest = nearest_spelling(name, known);
  const std::string suggestion = nearest.empty() ? "" : " Did you mean '" + nearest + "'?";
  return "'" + name + "' is not an alpha or ensemble of recipe " + recipe_file +
         " and has no stored output" + where + "." + suggestion +
         " 'alphas list' shows the recipe's names";
}

}  // namespace

int cmd_show(const GlobalOptions& global, const Args& args) {
  po::options_description options("Options of 'alphas show'");
  options.add_options()
      ("help,h", "print this help")
      ("format", po::value<std::string>()->default_value("text"), "text or json");
  po::options_description hidden;
  hidden.add_options()("name", po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("name", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: alphas [global options] show NAME [--format text|json]\n\n"
                 "Shows a stored alpha (family, inputs, parameters, fitted values, training\n"
                 "and validation metrics) or ensemble (beta, the table of alphas joining the\n"
                 "blend, blend and stacker metrics on validation and test).\n\n"
              << options << "\n";
    return 0;
  }
  if (!vm.count("name")) throw InputError("'alphas show' needs the name of an alpha or ensemble");
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    throw InputError("--format must be text or json (got '" + format + "')");
  }

  const std::string name = vm["name"].as<std::string>();
  const DataDir& dir = global.data_dir;
  if (std::filesystem::exists(ensemble_json_file(dir, name))) {
    const nlohmann::json json = read_ensemble_json(dir, name);
    std::cout << (format == "json" ? json.dump(2) + "\n" : ensemble_text(json));
    return 0;
  }
  if (dir.has_alpha(name)) {
    const nlohmann::json json = alpha_json(dir, name);
    if (format == "json") {
      std::cout << json.dump(2) << "\n";
    } else {
      print_alpha(json);
    }
    return 0;
  }
  throw InputError(missing_output_message(dir, name));
}

}  // namespace alphas::cli
