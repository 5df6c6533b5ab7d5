// Exceptions thrown by the framework and by plugins.
#pragma once

#include <stdexcept>
#include <string>

namespace alphas {

// Base class of every error the `alphas` command reports as a one-line
// message. The message is complete: it names the file, value or parameter at
// fault and, where one exists, the fix.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Invalid user input: a data file, a recipe, a command-line value.
class InputError : public Error {
 public:
  using Error::Error;
};

// A plugin that cannot be loaded or does not provide what was requested.
class PluginError : public Error {
 public:
  using Error::Error;
};

// A fitted model or prediction that is not finite, or training that diverged.
class NumericError : public Error {
 public:
  using Error::Error;
};

}  // namespace alphas
