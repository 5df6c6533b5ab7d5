// Placeholder until the 'plugins' command is implemented.
#include "alphas/error.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_plugins(const GlobalOptions&, const Args&) {
  throw Error("the 'plugins' command is not available in this build");
}

}  // namespace alphas::cli
