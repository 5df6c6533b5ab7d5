// `alphas run`: runs alphas and ensembles of a recipe, missing inputs first.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "alphas/ensemble.hpp"
#include "alphas/lock.hpp"
#include "alphas/log.hpp"
#include "alphas/runner.hpp"
#include "commands.hpp"

namespace alphas::cli {

namespace {

namespace po = boost::program_options;

struct RunArguments {
  std::vector<std::string> names;
  std::optional<std::filesystem::path> recipe;
  bool force = false;
  bool dry_run = false;
  bool wait = false;
  bool no_ensembles = false;
};

void print_help(const po::options_description& options) {
  std::cout
      << "Usage: alphas [global options] run [NAME...] [--recipe FILE] [--force] [--dry-run]\n\n"
         "Runs the named alphas and ensembles, and first every input they need that is\n"
         "missing or stale, in dependency order. NAME is an alpha or ensemble of the\n"
         "recipe, a plugin family (all of its alphas, e.g. GNN.Resid) or a pattern\n"
         "(ItemCF.*); without NAME everything in the recipe runs. An output is stale when\n"
         "the plugin version, the alpha's parameters or seed, the dataset or an input\n"
         "changed since it was written. If the data directory has no dataset yet, the\n"
         "recipe's dataset is imported first. Every ensemble whose alphas all take part\n"
         "in the run follows them (so 'alphas run GNN.Resid' ends with the blend table),\n"
         "unless --no-ensembles.\n\n"
         "Without --recipe the recipe recorded in the data directory by the last run\n"
         "with --recipe is used, else the reference recipe shipped with alphas.\n\n"
      << options << "\n";
}

RunArguments parse_arguments(const Args& args, bool& help) {
  po::options_description options("Options of 'alphas run'");
  options.add_options()
      ("help,h", "print this help")
      ("recipe", po::value<std::string>(), "recipe file (YAML); recorded in the data directory")
      ("force", po::bool_switch(), "rerun the named alphas even when they are up to date")
      ("dry-run,n", po::bool_switch(), "print the plan and run nothing")
      ("no-ensembles", po::bool_switch(),
       "do not add the ensembles whose alphas all take part in the run")
      ("wait", po::bool_switch(),
       "wait for another run on the same data directory to finish instead of failing");
  po::options_description hidden;
  hidden.add_options()("name", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("name", -1);

  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  help = vm.count("help") > 0;
  if (help) print_help(options);

  RunArguments parsed;
  if (vm.count("name")) parsed.names = vm["name"].as<std::vector<std::string>>();
  if (vm.count("recipe")) parsed.recipe = vm["recipe"].as<std::string>();
  parsed.force = vm["force"].as<bool>();
  parsed.dry_run = vm["dry-run"].as<bool>();
  parsed.wait = vm["wait"].as<bool>();
  parsed.no_ensembles = vm["no-ensembles"].as<bool>();
  return parsed;
}

void print_plan(const RunReport& report) {
  std::size_t width = 4;
  for (const auto& node : report.plan) width = std::max(width, node.name.size());
  std::size_t to_run = 0;
  for (std::size_t k = 0; k < report.plan.size(); ++k) {
    const NodeStatus& node = report.plan[k];
    std::string why = state_name(node.state);
    if (!node.reason.empty()) why += ": " + node.reason;
    if (node.will_run && node.state == OutputState::done) why = "forced";
    std::cout << std::setw(4) << k + 1 << ". " << (node.will_run ? "run   " : "skip  ") << node.name
              << std::string(width - node.name.size() + 2, ' ') << "(" << why << ")\n";
    to_run += node.will_run ? 1 : 0;
  }
  std::cout << to_run << " to run, " << report.plan.size() - to_run << " up to date.\n";
}

// A metric with 4 decimals, or "-" when the output has none.
std::string metric_text(const std::optional<double>& value) {
  if (!value) return "-";
  std::ostringstream text;
  text << std::fixed << std::setprecision(4) << *value;
  return text.str();
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

// One line per alpha and ensemble of the run: validation RMSE and R2, and
// whether it ran now.
void print_summary(const std::vector<NodeStatus>& statuses, const RunReport& report) {
  const std::string rmse_header = "val RMSE (own target)";
  const std::string r2_header = "val R2";
  std::size_t width = 4;
  for (const auto& node : statuses) width = std::max(width, node.name.size());
  std::cout << "\n" << pad("name", width) << "  " << rmse_header << "  " << r2_header << "\n";
  for (const auto& node : statuses) {
    const bool ran = std::find(report.ran.begin(), report.ran.end(), node.name) != report.ran.end();
    std::cout << pad(node.name, width) << "  "
              << pad(metric_text(node.validation_rmse), rmse_header.size()) << "  "
              << pad(metric_text(node.validation_r2), r2_header.size())
              << (ran ? "  (ran now)" : "") << "\n";
  }
  std::cout << "An alpha's RMSE and R2 compare b * prediction with its own target, the residual\n"
               "it learns, not with the ratings. An ensemble's RMSE and R2 compare the blend with\n"
               "the ratings.\n";
}

std::string command_text(const Args& args) {
  std::string text = "alphas run";
  for (const auto& arg : args) text += " " + arg;
  return text;
}

}  // namespace

int cmd_run(const GlobalOptions& global, const Args& args) {
  bool help = false;
  const RunArguments arguments = parse_arguments(args, help);
  if (help) return 0;

  const auto share_dir = default_share_dir();
  const auto recipe_file = choose_recipe_file(global.data_dir, arguments.recipe, share_dir);
  PluginHost host(PluginHost::default_directories());
  Recipe recipe = read_resolved_recipe(recipe_file);

  RunOptions options;
  options.names = arguments.names;
  options.force = arguments.force;
  options.dry_run = arguments.dry_run;
  options.follow_ensembles = !arguments.no_ensembles;
  options.threads = global.threads;

  if (arguments.dry_run) {
    Runner runner(std::move(recipe), global.data_dir, host, share_dir);
    std::cout << "Plan (recipe " << recipe_file.string() << ", data directory "
              << global.data_dir.root().string() << "):\n";
    print_plan(runner.run(options));
    return 0;
  }

  DataDirLock lock(global.data_dir, command_text(args),
                   arguments.wait ? DataDirLock::Mode::wait : DataDirLock::Mode::fail_if_held);
  Runner runner(std::move(recipe), global.data_dir, host, share_dir);
  // A name the recipe does not define fails here, before the recipe is
  // recorded, so a mistyped run leaves the data directory's recipe alone.
  runner.resolve_names(options.names);
  if (arguments.recipe) record_recipe(runner.recipe(), global.data_dir);
  host_log().info("recipe {}, data directory {}", recipe_file.string(),
                  global.data_dir.root().string());
  const RunReport report = runner.run(options);

  print_summary(runner.status(arguments.names), report);
  for (const auto& name : report.ran) {
    if (runner.recipe().find_ensemble(name)) {
      std::cout << "\n" << ensemble_text(read_ensemble_json(global.data_dir, name));
    }
  }
  std::cout << "\nRan " << report.ran.size() << ", " << report.skipped.size()
            << " already up to date.\n";
  return 0;
}

}  // namespace alphas::cli
