// Placeholder until the 'show' command is implemented.
#include "alphas/error.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_show(const GlobalOptions&, const Args&) {
  throw Error("the 'show' command is not available in this build");
}

}  // namespace alphas::cli
