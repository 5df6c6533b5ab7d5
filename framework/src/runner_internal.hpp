// Helpers of the runner: the spec an alpha runs with, the provenance of
// outputs (what an output was computed from), and why a stored output no
// longer matches the recipe.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "alphas/alpha.hpp"
#include "alphas/data_dir.hpp"
#include "alphas/recipe.hpp"

namespace alphas::runner_detail {

// The spec of a recipe alpha, without provenance.
AlphaSpec alpha_spec(const RecipeAlpha& alpha);

// Identifies the imported dataset: the sha256 of dataset.h5 recorded in
// the manifest, else the sha256 of the manifest itself.
std::string dataset_hash(const DataDir& dir);

// Returns "" when dataset.h5 has the sha256 that its manifest recorded at
// import (or the manifest records none), else an error message with the fix.
std::string damaged_dataset_reason(const DataDir& dir);

// Everything an alpha's output depends on, plus "hash", the sha256 of the
// rest:
//   hash = sha256(family, plugin version, params, seed, dataset hash,
//                 hashes of the inputs' and targets' outputs).
// `hashes` maps each input and target to its own provenance hash.
nlohmann::json alpha_provenance(const RecipeAlpha& alpha, const std::string& plugin_version,
                                const std::string& dataset_hash,
                                const std::map<std::string, std::string>& hashes);

// The same for an ensemble: its members' hashes and its stacker settings.
nlohmann::json ensemble_provenance(const RecipeEnsemble& ensemble, const std::string& dataset_hash,
                                   const std::map<std::string, std::string>& hashes);

// Returns "" when `stored` has the hash of `expected`, else the first
// difference in words, e.g. "parameter K changed from 10 to 20".
std::string stale_reason(const nlohmann::json& stored, const nlohmann::json& expected);

// Returns "" when every file listed under "checksums" in an alpha's stored
// params.json still has its recorded sha256, else why the output cannot be
// trusted. Outputs written before checksums were recorded pass.
std::string damaged_output_reason(const DataDir& dir, const std::string& name,
                                  const nlohmann::json& stored);

}  // namespace alphas::runner_detail
