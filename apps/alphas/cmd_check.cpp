// Placeholder until the 'check' command is implemented.
#include "alphas/error.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_check(const GlobalOptions&, const Args&) {
  throw Error("the 'check' command is not available in this build");
}

}  // namespace alphas::cli
