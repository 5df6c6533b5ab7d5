// Placeholder until the 'list' command is implemented.
#include "alphas/error.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_list(const GlobalOptions&, const Args&) {
  throw Error("the 'list' command is not available in this build");
}

}  // namespace alphas::cli
