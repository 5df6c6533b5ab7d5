// Plugin entry points of the item_cf library.
#include <memory>

#include "alphas/plugin_api.hpp"
#include "item_cf_alpha.hpp"

namespace {
const char* const kFamilies[] = {"ItemCF", nullptr};
const char* const kDescriptions[] = {
    "item-item cosine neighborhoods on the residuals of its inputs (param K)", nullptr};
}  // namespace

ALPHAS_PLUGIN("item_cf", "1.0.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == "ItemCF") return std::make_unique<alphas::item_cf::ItemCfAlpha>();
  return nullptr;
}
