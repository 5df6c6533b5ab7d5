// Runs the alphas and ensembles of a recipe in dependency order, skipping
// outputs that are up to date.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alphas/data_dir.hpp"
#include "alphas/import.hpp"
#include "alphas/plugin_host.hpp"
#include "alphas/recipe.hpp"

namespace alphas {

class PredictionStore;

// Returns <folder of the running binary>/../share/alphas, the folder of
// installed read-only data: datasets/<name>/dataset.yaml and configs/. In
// the build tree that is build/share/alphas.
std::filesystem::path default_share_dir();

// The recipe a command uses: `explicit_file` when given, else the recipe
// recorded in the data directory by the last `run --recipe`, else
// <share_dir>/configs/reference.yaml.
std::filesystem::path choose_recipe_file(const DataDir& dir,
                                         const std::optional<std::filesystem::path>& explicit_file,
                                         const std::filesystem::path& share_dir);

// Returns the families of every plugin of `host`, sorted.
std::vector<std::string> host_families(const PluginHost& host);

// Reads `file` and validates it against the families of `host`.
Recipe read_validated_recipe(const std::filesystem::path& file, const PluginHost& host);

// Reads `file` and runs every check but the family check: Runner::run
// checks the families of the alphas it needs, so that a missing plugin
// blocks only the alphas that need it.
Recipe read_resolved_recipe(const std::filesystem::path& file);

// The result of the configure phase of a recipe's alphas.
struct ParameterCheck {
  // Each "<recipe file>:<line>: <message>", the line being the parameter's
  // when the recipe sets it, else the alpha's.
  std::vector<std::string> problems;
};

// Creates each alpha of `names` whose family `host` provides and runs its
// configure phase (Alpha::configure), which needs no dataset. Each problem
// that configure records is a problem here, and so is each parameter the
// alpha never read (usually a misspelling), with the nearest parameter name
// the alpha asked for.
// An alpha whose plugin fails to create it counts as a problem.
ParameterCheck check_parameters(const Recipe& recipe, const PluginHost& host,
                                const std::vector<std::string>& names);

// Everything `alphas check` finds in a recipe file, in one pass.
struct RecipeCheck {
  Recipe recipe;  // what parsed; without alphas when the file is not valid YAML
  std::vector<std::string> problems;

  // Throws InputError with every problem, one per line, if there is any.
  void throw_if_invalid() const;
};

// Checks the recipe in `file` without reading ratings: its keys and values,
// references, cycles and families, the dataset settings (bundled datasets
// are looked up in `share_dir`), and the parameters of every alpha through
// check_parameters.
RecipeCheck check_recipe(const std::filesystem::path& file, const PluginHost& host,
                         const std::filesystem::path& share_dir);

// Copies the recipe into dir.recipe_file() atomically, with `base_dir` set
// to an absolute path so that its relative dataset paths still resolve
// from the copy.
void record_recipe(const Recipe& recipe, const DataDir& dir);

// The import settings of the recipe's dataset section: the bundled
// dataset's settings file, or the inline settings. Throws InputError when
// the recipe has no dataset section.
ImportOptions dataset_import_options(const Recipe& recipe, const std::filesystem::path& share_dir);

// An output's state relative to the recipe: done (up to date), stale
// (written with other settings or from other inputs) or missing.
enum class OutputState { done, stale, missing };
const char* state_name(OutputState state);

struct NodeStatus {
  std::string name;
  bool is_ensemble = false;
  std::string family;  // the plugin family, or "ensemble"
  OutputState state = OutputState::missing;
  std::string reason;  // why stale or missing, e.g. "parameter K changed"
  // The provenance that params.json (ensemble.json for an ensemble)
  // records when the output is up to date; "hash" identifies it.
  nlohmann::json provenance;
  // Validation metrics of the stored output, if any. An alpha's compare
  // b * prediction with its own target, the residual it was trained to
  // predict, not with the ratings. An ensemble's compare the blend with the
  // ratings.
  std::optional<double> validation_rmse;
  std::optional<double> validation_r2;
  bool will_run = false;  // set in Runner::run's plan: missing, stale or forced
};

struct RunOptions {
  std::vector<std::string> names;  // as given on the command line; empty: everything
  bool force = false;              // rerun the named alphas even when up to date
  bool dry_run = false;            // print the plan only
  // Also run every ensemble whose alphas are all part of the run, so that
  // `alphas run GNN.Resid` ends with the blend of the chain it ran.
  bool follow_ensembles = true;
  int threads = 1;
};

struct RunReport {
  std::vector<NodeStatus> plan;   // every node considered, in run order
  std::vector<std::string> ran;   // in order
  std::vector<std::string> skipped;
};

class Runner {
 public:
  // `recipe` must be resolved (read_resolved_recipe); families are checked
  // by run() for the alphas it runs, and status() reports the others.
  Runner(Recipe recipe, DataDir dir, const PluginHost& host, std::filesystem::path share_dir);

  const Recipe& recipe() const { return recipe_; }
  const DataDir& dir() const { return dir_; }

  // Resolves command-line names: an alpha or ensemble name, a plugin family
  // (all of its alphas, e.g. "GNN.Resid"), or a pattern such as "ItemCF.*".
  // Throws InputError for a name that matches nothing.
  std::vector<std::string> resolve_names(const std::vector<std::string>& names) const;
  // Adds every ensemble of the recipe whose alphas the targets (with their
  // dependencies) all include.
  std::vector<std::string> with_following_ensembles(std::vector<std::string> targets) const;

  // The state of `names` and of everything they depend on, in run order.
  // Empty `names`: every alpha and ensemble of the recipe.
  std::vector<NodeStatus> status(const std::vector<std::string>& names) const;

  // Runs every missing or stale node that `options.names` needs, in
  // dependency order. First it checks the families of the plan's alphas
  // and the parameters of those that will run (check_parameters), and any
  // problem stops the run with all of them before anything is written.
  // Then it imports the dataset if the data directory has none. The caller
  // holds the data directory's lock. A failing alpha stops the run with an
  // error naming it; the outputs finished before stay.
  RunReport run(const RunOptions& options);

 private:
  std::vector<NodeStatus> plan(const std::vector<std::string>& order) const;
  void preflight(const std::vector<NodeStatus>& plan) const;
  void ensure_dataset() const;
  void warn_if_other_dataset() const;
  void run_alpha(const RecipeAlpha& alpha, const nlohmann::json& provenance,
                 PredictionStore& store, int threads) const;
  void run_ensemble(const RecipeEnsemble& ensemble, const nlohmann::json& provenance,
                    PredictionStore& store, int threads) const;

  Recipe recipe_;
  DataDir dir_;
  const PluginHost& host_;
  std::filesystem::path share_dir_;
};

}  // namespace alphas
