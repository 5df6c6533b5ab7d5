// A test plugin whose factory throws: a std::exception for TestThrowing,
// an int for TestThrowingInt.
#include <stdexcept>

#include "alphas/plugin_api.hpp"

namespace {
const char* const kFamilies[] = {"TestThrowing", "TestThrowingInt", nullptr};
const char* const kDescriptions[] = {"factory throws std::runtime_error",
                                     "factory throws an int", nullptr};
}  // namespace

ALPHAS_PLUGIN("test_throwing", "0.1.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == "TestThrowing") {
    throw std::runtime_error("the test factory refuses to build this family");
  }
  throw 42;
}
