// Placeholder until the 'run' command is implemented.
#include "alphas/error.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_run(const GlobalOptions&, const Args&) {
  throw Error("the 'run' command is not available in this build");
}

}  // namespace alphas::cli
