// Test plugins that the host must reject, one per compile definition:
//   TEST_ABI_OFFSET=n      report ALPHAS_ABI_VERSION + n
//   TEST_NO_VERSION        export no alphas_plugin_abi_version
//   TEST_UNRESOLVED        call a function that no library defines, so the
//                          plugin cannot be loaded with RTLD_NOW
//   TEST_TOOLCHAIN="..."   report another compiler and standard library
// Every entry point other than the version prints kMarker on stderr: a test
// asserts that the marker never appears after an ABI mismatch.
#include <cstdio>

#include "alphas/plugin_api.hpp"

#ifndef TEST_ABI_OFFSET
#define TEST_ABI_OFFSET 0
#endif
#ifndef TEST_TOOLCHAIN
#define TEST_TOOLCHAIN ALPHAS_COMPILER_ID "/" ALPHAS_STDLIB_ID
#endif

#ifdef TEST_UNRESOLVED
// Declared, never defined anywhere: a stand-in for a framework function
// that a newer framework has and this one lacks.
extern "C" void alphas_function_from_another_version();
#endif

namespace {
const char* const kMarker = "test plugin: code called after the version check";
const char* const kFamilies[] = {"TestBroken", nullptr};
const char* const kDescriptions[] = {"a plugin the host rejects", nullptr};
}  // namespace

#ifndef TEST_NO_VERSION
ALPHAS_PLUGIN_EXPORT int alphas_plugin_abi_version() {
  return ALPHAS_ABI_VERSION + TEST_ABI_OFFSET;
}
#endif

ALPHAS_PLUGIN_EXPORT const AlphasPluginInfo* alphas_plugin_info() {
  std::fprintf(stderr, "%s (alphas_plugin_info)\n", kMarker);
  static const AlphasPluginInfo info = {ALPHAS_ABI_VERSION + TEST_ABI_OFFSET,
                                        "test_broken",
                                        "0.0.1",
                                        TEST_TOOLCHAIN,
                                        kFamilies,
                                        kDescriptions};
  return &info;
}

ALPHAS_PLUGIN_EXPORT alphas::Alpha* alphas_plugin_create(const char*) {
  std::fprintf(stderr, "%s (alphas_plugin_create)\n", kMarker);
#ifdef TEST_UNRESOLVED
  alphas_function_from_another_version();
#endif
  return nullptr;
}
