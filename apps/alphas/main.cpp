// Entry point of the `alphas` command: global options, then a subcommand.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include <boost/program_options.hpp>
#include <tbb/global_control.h>

#include "alphas/error.hpp"
#include "alphas/log.hpp"
#include "commands.hpp"

namespace po = boost::program_options;
using alphas::cli::Args;
using alphas::cli::GlobalOptions;

namespace {

struct Command {
  int (*run)(const GlobalOptions&, const Args&);
  const char* summary;
};

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"import", {alphas::cli::cmd_import, "read rating and list files into the data directory"}},
      {"run", {alphas::cli::cmd_run, "run alphas and ensembles, with their missing inputs first"}},
      {"list", {alphas::cli::cmd_list, "list the alphas of the recipe with state and validation RMSE"}},
      {"show", {alphas::cli::cmd_show, "show one alpha's metrics, params and inputs"}},
      {"plugins", {alphas::cli::cmd_plugins, "list the plugins found, with versions and families"}},
      {"check", {alphas::cli::cmd_check, "check a recipe's keys, references, cycles and parameters"}},
  };
  return table;
}

void print_usage(const po::options_description& global) {
  std::cout << "Usage: alphas [global options] <command> [command options]\n\n"
            << "Commands (each has --help):\n";
  for (const auto& [name, command] : commands()) {
    std::cout << "  " << name << std::string(10 - name.size(), ' ') << command.summary << "\n";
  }
  std::cout << "\n" << global << "\n";
}

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description global("Global options");
  global.add_options()
      ("help,h", "print this help")
      ("version", "print the version")
      ("data-dir", po::value<std::string>(),
       "data directory (default: $ALPHAS_DATA_DIR, else $XDG_DATA_HOME/alphas, "
       "else ~/.local/share/alphas)")
      ("threads", po::value<int>()->default_value(hardware_threads()),
       "threads for data preparation and training (TBB, OpenMP and BLAS together)")
      ("verbose,v", po::bool_switch(), "log debug detail")
      ("trace", po::bool_switch(), "log every detail (more than -v)")
      ("quiet,q", po::bool_switch(), "log warnings and errors only");

  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>())(
      "args", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("command", 1).add("args", -1);
  po::options_description all;
  all.add(global).add(hidden);

  try {
    po::parsed_options parsed = po::command_line_parser(argc, argv)
                                    .options(all)
                                    .positional(positional)
                                    .allow_unregistered()
                                    .run();
    // Unknown options are allowed only after the command name, where they
    // belong to the command's own parser.
    for (const auto& option : parsed.options) {
      if (option.string_key == "command") break;
      if (option.unregistered) {
        throw po::error("unknown global option '" + option.original_tokens.front() +
                        "'; options of a command go after its name (alphas COMMAND --help)");
      }
    }
    po::variables_map vm;
    po::store(parsed, vm);
    po::notify(vm);
    if (vm.count("version")) {
      std::cout << "alphas " << ALPHAS_VERSION << "\n";
      return 0;
    }
    if (!vm.count("command")) {
      print_usage(global);
      return vm.count("help") ? 0 : 2;
    }
    const std::string name = vm["command"].as<std::string>();
    auto command = commands().find(name);
    if (command == commands().end()) {
      throw alphas::InputError("unknown command '" + name + "'; run 'alphas --help' for the list");
    }

    // Everything after the command name goes to the command, options included.
    Args args = po::collect_unrecognized(parsed.options, po::include_positional);
    args.erase(args.begin());  // the command name itself
    if (vm.count("help")) args.push_back("--help");

    GlobalOptions options;
    options.threads = vm["threads"].as<int>();
    // More threads than this only adds contention on any machine alphas targets.
    constexpr int kMaxThreads = 1024;
    if (options.threads < 1 || options.threads > kMaxThreads) {
      throw alphas::InputError("--threads must be from 1 to " + std::to_string(kMaxThreads) +
                               " (got " + std::to_string(options.threads) + ")");
    }
    if (vm["verbose"].as<bool>()) options.verbosity = 1;
    if (vm["trace"].as<bool>()) options.verbosity = 2;
    if (vm["quiet"].as<bool>()) options.verbosity = -1;
    alphas::set_verbosity(options.verbosity);
    std::optional<std::string> data_dir;
    if (vm.count("data-dir")) data_dir = vm["data-dir"].as<std::string>();
    options.data_dir = alphas::DataDir::resolve(data_dir);

    // One thread budget for every pool: TBB here, OpenMP and BLAS through
    // the environment (read by those libraries when they start).
    tbb::global_control tbb_threads(tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(options.threads));
    const std::string threads_text = std::to_string(options.threads);
    setenv("OMP_NUM_THREADS", threads_text.c_str(), 0);
    return command->second.run(options, args);
  } catch (const po::error& e) {
    std::cerr << "alphas: error: " << e.what() << "; run 'alphas --help'\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "alphas: error: " << e.what() << "\n";
    return 1;
  }
}
