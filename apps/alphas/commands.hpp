// Subcommands of the `alphas` program. Each takes the global options and
// the arguments after its name, and returns the process exit status.
#pragma once

#include <string>
#include <vector>

#include "alphas/data_dir.hpp"

namespace alphas::cli {

struct GlobalOptions {
  DataDir data_dir{"."};
  int threads = 1;
  int verbosity = 0;
};

using Args = std::vector<std::string>;

int cmd_import(const GlobalOptions& global, const Args& args);
int cmd_run(const GlobalOptions& global, const Args& args);
int cmd_list(const GlobalOptions& global, const Args& args);
int cmd_show(const GlobalOptions& global, const Args& args);
int cmd_plugins(const GlobalOptions& global, const Args& args);
int cmd_check(const GlobalOptions& global, const Args& args);

}  // namespace alphas::cli
