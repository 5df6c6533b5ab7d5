// Plugin entry points of the autoencoder.
#include <memory>

#include "alphas/plugin_api.hpp"
#include "autoencoder_alpha.hpp"

namespace {

const char* const kFamilies[] = {"GNN", "GNN.Resid", nullptr};
const char* const kDescriptions[] = {
    "denoising autoencoder with a rating head (MSE) and an implicit head (softmax); "
    "writes <name> and <name>.Implicit",
    "denoising autoencoder with a rating head only, trained on the residuals of its targets",
    nullptr};

}  // namespace

ALPHAS_PLUGIN("autoencoder", "1.0.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == "GNN") return std::make_unique<alphas::autoencoder::AutoencoderAlpha>(true);
  if (family == "GNN.Resid") return std::make_unique<alphas::autoencoder::AutoencoderAlpha>(false);
  return nullptr;
}
