// Placeholder until the 'import' command is implemented.
#include "alphas/error.hpp"
#include "commands.hpp"

namespace alphas::cli {

int cmd_import(const GlobalOptions&, const Args&) {
  throw Error("the 'import' command is not available in this build");
}

}  // namespace alphas::cli
