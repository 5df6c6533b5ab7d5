// `alphas check`: checks a recipe and its alphas' parameters without reading
// ratings or running anything.
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "alphas/error.hpp"
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
                 "Checks a recipe without reading ratings or running anything:\n"
                 "  - recipe keys and the types of their values;\n"
                 "  - alpha names and their {placeholders};\n"
                 "  - references: every input, target and ensemble entry names an alpha;\n"
                 "  - dependency cycles through inputs and targets;\n"
                 "  - that a plugin provides every family, and the dataset settings;\n"
                 "  - every alpha's parameters, through its plugin's configure phase: values\n"
                 "    of the wrong type or out of range, and parameters the family does not\n"
                 "    read (usually misspellings).\n"
                 "Prints every problem found in one pass, each with the recipe file and line,\n"
                 "and exits with status 1 when there is any; otherwise prints the run order.\n\n"
              << options << "\n";
    return 0;
  }
  if (!vm.count("recipe")) throw InputError("'alphas check' needs a recipe file");

  const std::filesystem::path file = vm["recipe"].as<std::string>();
  PluginHost host(PluginHost::default_directories());
  const RecipeCheck check = check_recipe(file, host, default_share_dir());
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
