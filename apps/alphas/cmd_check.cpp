// `alphas check`: validates a recipe without reading ratings or running anything.
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "alphas/error.hpp"
#include "alphas/log.hpp"
#include "alphas/runner.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_check(const GlobalOptions&, const Args& args) {
  namespace po = boost::program_options;
  po::options_description options("Options of 'alphas check'");
  options.add_options()("help,h", "print this help");
  po::options_description hidden;
  hidden.add_options()("recipe", po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("recipe", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "Usage: alphas [global options] check RECIPE\n\n"
                 "Validates a recipe: keys and types, names and placeholders, references to\n"
                 "alphas, dependency cycles, plugin families, the dataset settings, and the\n"
                 "parameters of every alpha (each plugin's configure phase). Reads no ratings\n"
                 "and runs nothing. Prints every problem found in one pass and exits with\n"
                 "status 1 when there is any.\n\n"
              << options << "\n";
    return 0;
  }
  if (!vm.count("recipe")) throw InputError("'alphas check' needs a recipe file");

  const std::filesystem::path file = vm["recipe"].as<std::string>();
  PluginHost host(PluginHost::default_directories());
  const RecipeCheck check = check_recipe(file, host, default_share_dir());
  for (const auto& warning : check.warnings) host_log().warn("{}", warning);
  check.throw_if_invalid();
  const Recipe& recipe = check.recipe;

  std::vector<std::string> everything;
  for (const auto& alpha : recipe.alphas) everything.push_back(alpha.name);
  for (const auto& ensemble : recipe.ensembles) everything.push_back(ensemble.name);
  const auto order = dependency_order(recipe, everything);
  const std::size_t alphas = recipe.alphas.size(), ensembles = recipe.ensembles.size();
  std::cout << file.string() << ": valid: " << alphas << (alphas == 1 ? " alpha, " : " alphas, ")
            << ensembles << (ensembles == 1 ? " ensemble" : " ensembles") << "\nrun order:";
  for (const auto& name : order) std::cout << " " << name;
  std::cout << "\n";
  return 0;
}

}  // namespace alphas::cli
