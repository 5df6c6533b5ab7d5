// Two builds of this file (TEST_PLUGIN_NAME "test_duplicate_a" and "_b")
// both claim the family TestDuplicate, which the host must reject.
#include "alphas/plugin_api.hpp"

namespace {
const char* const kFamilies[] = {"TestDuplicate", nullptr};
const char* const kDescriptions[] = {"claimed by two plugins", nullptr};
}  // namespace

ALPHAS_PLUGIN(TEST_PLUGIN_NAME, "0.1.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  (void)family;
  return nullptr;
}
