// The binary interface between the `alphas` host and a plugin library.
//
// A plugin is a shared library exporting three C symbols:
//   int alphas_plugin_abi_version(void)
//       read first, before anything else of the plugin runs;
//   const AlphasPluginInfo* alphas_plugin_info(void)
//       plain constant data: name, version, compiler, families;
//   alphas::Alpha* alphas_plugin_create(const char* family)
//       a new alpha of one of the declared families (nullptr if unknown).
// Plugins write ALPHAS_PLUGIN(...) once and define the factory with
// ALPHAS_PLUGIN_FACTORY; see plugins/user_item_biases for an example.
#pragma once

#include "alphas/alpha.hpp"

// Bump when Alpha, AlphaParams, AlphaContext or any type they expose
// changes layout. Version 2 added the configure phase (Alpha::configure),
// version 3 the parameter names an alpha reads (AlphaParams::known).
#define ALPHAS_ABI_VERSION 3

// Alpha objects cross the library boundary as C++ objects, so host and
// plugin must share a compiler and standard library; the host compares this.
#define ALPHAS_STRINGIFY_DETAIL(x) #x
#define ALPHAS_STRINGIFY(x) ALPHAS_STRINGIFY_DETAIL(x)
#if defined(__clang__)
#define ALPHAS_COMPILER_ID "clang-" ALPHAS_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define ALPHAS_COMPILER_ID "gcc-" ALPHAS_STRINGIFY(__GNUC__)
#else
#define ALPHAS_COMPILER_ID "unknown"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define ALPHAS_STDLIB_ID "libstdc++-cxx11"
#else
#define ALPHAS_STDLIB_ID "other"
#endif

#define ALPHAS_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

extern "C" {
// Plain-C description of a plugin, readable without running plugin code.
struct AlphasPluginInfo {
  int abi_version;
  const char* name;                // plugin name, e.g. "item_cf"
  const char* version;             // plugin version, e.g. "1.0.0"
  const char* toolchain;           // ALPHAS_COMPILER_ID "/" ALPHAS_STDLIB_ID
  const char* const* families;     // alpha families provided, nullptr-terminated
  const char* const* descriptions; // one line per family, same order
};
}

// Declares the plugin's metadata. FAMILIES and DESCRIPTIONS are arrays of
// string literals ending in nullptr.
#define ALPHAS_PLUGIN(NAME, VERSION, FAMILIES, DESCRIPTIONS)                              \
  ALPHAS_PLUGIN_EXPORT int alphas_plugin_abi_version() { return ALPHAS_ABI_VERSION; }     \
  ALPHAS_PLUGIN_EXPORT const AlphasPluginInfo* alphas_plugin_info() {                     \
    static const AlphasPluginInfo info = {ALPHAS_ABI_VERSION, NAME, VERSION,              \
                                          ALPHAS_COMPILER_ID "/" ALPHAS_STDLIB_ID,        \
                                          FAMILIES, DESCRIPTIONS};                        \
    return &info;                                                                         \
  }

// Defines the factory: the body receives `const std::string& family` and
// returns std::unique_ptr<alphas::Alpha> (or nullptr for an unknown family).
#define ALPHAS_PLUGIN_FACTORY                                                             \
  static std::unique_ptr<alphas::Alpha> alphas_plugin_make(const std::string& family);    \
  ALPHAS_PLUGIN_EXPORT alphas::Alpha* alphas_plugin_create(const char* family) {          \
    return alphas_plugin_make(family).release();                                          \
  }                                                                                       \
  static std::unique_ptr<alphas::Alpha> alphas_plugin_make(const std::string& family)
