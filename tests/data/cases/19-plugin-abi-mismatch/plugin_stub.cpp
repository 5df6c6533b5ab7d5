// Test-only stub plugin for the ABI-mismatch case, written against the real
// plugin API in alphas/plugin_api.hpp. It declares one family, "StubMF".
//
// tests/plugins/CMakeLists.txt builds three variants, each into its own
// folder under <build>/test_plugins/case19/ so each can be loaded alone:
//   newer_abi/libstub_newer_abi.so    -DSTUB_ABI_OFFSET=1: reports host ABI + 1
//   no_version/libstub_no_version.so  -DSTUB_NO_VERSION: no alphas_plugin_abi_version
//   null_model/libstub_null_model.so  the host's ABI, but the factory returns nullptr
// By hand, from the repository root:
//   g++ -std=c++17 -shared -fPIC -Iframework/include -DSTUB_ABI_OFFSET=1 \
//       tests/data/cases/19-plugin-abi-mismatch/plugin_stub.cpp -o libstub_newer_abi.so
//
// Every entry point other than the version prints a marker on stderr, so a
// test can check that the host called nothing else after an ABI mismatch.
#include <cstdio>

#include "alphas/plugin_api.hpp"

#ifndef STUB_ABI_OFFSET
#define STUB_ABI_OFFSET 0
#endif
#define STUB_ABI (ALPHAS_ABI_VERSION + STUB_ABI_OFFSET)

namespace {
const char* const kFamilies[] = {"StubMF", nullptr};
const char* const kDescriptions[] = {"stub whose factory always returns nullptr", nullptr};
}  // namespace

#ifndef STUB_NO_VERSION
// The host calls this first, and nothing else when the value does not match.
ALPHAS_PLUGIN_EXPORT int alphas_plugin_abi_version() { return STUB_ABI; }
#endif

ALPHAS_PLUGIN_EXPORT const AlphasPluginInfo* alphas_plugin_info() {
  std::fprintf(stderr, "stub: alphas_plugin_info called (abi %d)\n", STUB_ABI);
  static const AlphasPluginInfo info = {STUB_ABI,
                                        "stub_mf",
                                        "0.0.1",
                                        ALPHAS_COMPILER_ID "/" ALPHAS_STDLIB_ID,
                                        kFamilies,
                                        kDescriptions};
  return &info;
}

// With the host's ABI (libstub_null_model.so) this runs and returns nullptr,
// which the host must report instead of dereferencing.
ALPHAS_PLUGIN_EXPORT alphas::Alpha* alphas_plugin_create(const char* /*family*/) {
  std::fprintf(stderr, "stub: alphas_plugin_create called (abi %d)\n", STUB_ABI);
  return nullptr;
}
