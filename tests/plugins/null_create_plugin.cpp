// A test plugin whose factory returns nullptr for its only family.
#include "alphas/plugin_api.hpp"

namespace {
const char* const kFamilies[] = {"TestNull", nullptr};
const char* const kDescriptions[] = {"factory returns nullptr", nullptr};
}  // namespace

ALPHAS_PLUGIN("test_null_create", "0.1.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  (void)family;
  return nullptr;
}
