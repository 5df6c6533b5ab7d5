// Plugin entry points of the matrix_factorization library.
#include <memory>

#include "alphas/plugin_api.hpp"
#include "matrix_factorization_alpha.hpp"

namespace {
const char* const kFamilies[] = {"MatrixFactorization", nullptr};
const char* const kDescriptions[] = {
    "R = U A^T fitted by L2-regularized ALS to the residuals of its inputs (param K)", nullptr};
}  // namespace

ALPHAS_PLUGIN("matrix_factorization", "1.0.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == "MatrixFactorization") {
    return std::make_unique<alphas::mf::MatrixFactorizationAlpha>();
  }
  return nullptr;
}
