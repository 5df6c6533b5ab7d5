// The runner: plan (state of every output) and execution in dependency order.
#include "alphas/runner.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

#include "alphas/alpha.hpp"
#include "alphas/atomic_file.hpp"
#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"
#include "alphas/import_yaml.hpp"
#include "alphas/log.hpp"
#include "alphas/residuals.hpp"
#include "recipe_checks.hpp"
#include "runner_internal.hpp"

namespace alphas {

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::optional<nlohmann::json> read_json(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return std::nullopt;
  try {
    nlohmann::json json = nlohmann::json::parse(read_text(file));
    // Every stored JSON file is an object; anything else counts as unreadable.
    if (!json.is_object()) return std::nullopt;
    return json;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The provenance hash stored in an output's JSON, or "" when there is none.
std::string stored_hash(const nlohmann::json& stored) {
  auto provenance = stored.find("provenance");
  if (provenance == stored.end() || !provenance->is_object()) return std::string();
  auto hash = provenance->find("hash");
  return hash != provenance->end() && hash->is_string() ? hash->get<std::string>() : std::string();
}

// The number at a JSON pointer such as "/validation/rmse", if there is one.
std::optional<double> number_at(const std::optional<nlohmann::json>& json,
                                const std::string& pointer_text) {
  const nlohmann::json::json_pointer pointer(pointer_text);
  if (!json || !json->contains(pointer) || !json->at(pointer).is_number()) return std::nullopt;
  return json->at(pointer).get<double>();
}

// Rethrows the current exception with `context` in front of its message,
// keeping its category (input, plugin, numeric or other error).
[[noreturn]] void rethrow_with_context(const std::string& context) {
  try {
    throw;
  } catch (const InputError& e) {
    throw InputError(context + e.what());
  } catch (const PluginError& e) {
    throw PluginError(context + e.what());
  } catch (const NumericError& e) {
    throw NumericError(context + e.what());
  } catch (const std::exception& e) {
    throw Error(context + e.what());
  }
}

// Removes what killed runs left in the staging and trash folders. Only
// called under the data directory's lock, so no live run owns them.
void remove_leftovers(const DataDir& dir) {
  for (const char* folder : {".staging", ".trash"}) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(dir.alphas_dir() / folder, ignored)) {
      host_log().debug("removing {}, left by an interrupted run", entry.path().string());
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const char* state_name(OutputState state) {
  switch (state) {
    case OutputState::done:
      return "done";
    case OutputState::stale:
      return "stale";
    case OutputState::missing:
      return "missing";
  }
  return "unknown";
}

Runner::Runner(Recipe recipe, DataDir dir, const PluginHost& host, std::filesystem::path share_dir)
    : recipe_(std::move(recipe)), dir_(std::move(dir)), host_(host), share_dir_(std::move(share_dir)) {}

std::vector<std::string> Runner::resolve_names(const std::vector<std::string>& names) const {
  std::vector<std::string> resolved;
  auto add = [&](const std::string& name) {
    if (std::find(resolved.begin(), resolved.end(), name) == resolved.end()) resolved.push_back(name);
  };
  if (names.empty()) {
    for (const auto& alpha : recipe_.alphas) add(alpha.name);
    for (const auto& ensemble : recipe_.ensembles) add(ensemble.name);
    return resolved;
  }
  for (const auto& name : names) {
    if (recipe_.find_alpha(name) || recipe_.find_ensemble(name)) {
      add(name);
      continue;
    }
    std::vector<std::string> matches;
    for (const auto& alpha : recipe_.alphas) {
      if (alpha.family == name) matches.push_back(alpha.name);
    }
    if (matches.empty()) matches = match_alphas(recipe_, name);
    if (matches.empty()) {
      std::vector<std::string> known;
      for (const auto& alpha : recipe_.alphas) known.push_back(alpha.name);
      for (const auto& ensemble : recipe_.ensembles) known.push_back(ensemble.name);
      throw InputError("'" + name + "' is not an alpha, ensemble, family or pattern of recipe " +
                       recipe_.file.string() + " (defined: " + join(known) +
                       "); 'alphas list' shows them");
    }
    for (const auto& match : matches) add(match);
  }
  return resolved;
}

std::vector<NodeStatus> Runner::plan(const std::vector<std::string>& order) const {
  std::vector<NodeStatus> result;
  std::map<std::string, std::string> hashes;
  const bool has_dataset = dir_.has_dataset();
  const std::string dataset = has_dataset ? runner_detail::dataset_hash(dir_) : std::string();

  for (const auto& name : order) {
    NodeStatus status;
    status.name = name;
    std::optional<nlohmann::json> stored;
    bool complete = false;
    bool has_plugin = true;
    if (const RecipeAlpha* alpha = recipe_.find_alpha(name)) {
      status.family = alpha->family;
      has_plugin = host_.has_family(alpha->family);
      const std::string version = has_plugin ? host_.plugin_for(alpha->family).version : "";
      status.provenance = runner_detail::alpha_provenance(*alpha, version, dataset, hashes);
      complete = dir_.has_alpha(name);
      if (complete) {
        stored = read_json(dir_.params_file(name));
        const auto metrics = read_json(dir_.metrics_file(name));
        status.validation_rmse = number_at(metrics, "/validation/rmse");
        status.validation_r2 = number_at(metrics, "/validation/r2");
      }
    } else {
      const RecipeEnsemble& ensemble = *recipe_.find_ensemble(name);
      status.is_ensemble = true;
      status.family = "ensemble";
      status.provenance = runner_detail::ensemble_provenance(ensemble, dataset, hashes);
      stored = read_json(ensemble_json_file(dir_, name));
      complete = stored.has_value();
      status.validation_rmse = number_at(stored, "/blend/validation/rmse");
      status.validation_r2 = number_at(stored, "/blend/validation/r2");
    }
    hashes[name] = status.provenance["hash"].get<std::string>();

    if (!has_plugin) {
      // Without the plugin the expected hash is unknown. Dependents compare
      // against the stored output's hash, so they do not look stale for it.
      status.state = complete ? OutputState::stale : OutputState::missing;
      status.reason = "no plugin provides family " + status.family;
      if (stored) {
        hashes[name] = stored_hash(*stored);
      }
    } else if (!has_dataset) {
      status.state = OutputState::missing;
      status.reason = "no dataset imported yet";
    } else if (!complete) {
      status.state = OutputState::missing;
      status.reason = "not run yet";
    } else if (!stored) {
      status.state = OutputState::stale;
      status.reason = "its params.json cannot be read";
    } else {
      status.reason = runner_detail::stale_reason(stored->value("provenance", nlohmann::json()),
                                                  status.provenance);
      if (status.reason.empty() && !status.is_ensemble) {
        status.reason = runner_detail::damaged_output_reason(dir_, name, *stored);
      }
      status.state = status.reason.empty() ? OutputState::done : OutputState::stale;
    }
    result.push_back(std::move(status));
  }
  return result;
}

std::vector<NodeStatus> Runner::status(const std::vector<std::string>& names) const {
  return plan(dependency_order(recipe_, resolve_names(names)));
}

void Runner::warn_if_other_dataset() const {
  if (!recipe_.dataset.present) return;
  std::string wanted;
  try {
    wanted = dataset_import_options(recipe_, share_dir_).name;
  } catch (const std::exception& e) {
    host_log().debug("cannot read the recipe's dataset settings to compare names: {}", e.what());
    return;
  }
  const auto manifest = read_json(dir_.manifest_file());
  const std::string imported = manifest ? manifest->value("name", std::string()) : std::string();
  if (!wanted.empty() && !imported.empty() && wanted != imported) {
    host_log().warn("data directory {} holds dataset '{}', but recipe {} names '{}'; this run "
                    "uses the imported one. Use another --data-dir, or 'alphas import' to "
                    "replace it", dir_.root().string(), imported, recipe_.file.string(), wanted);
  }
}

void Runner::ensure_dataset() const {
  if (dir_.has_dataset()) {
    const std::string damaged = runner_detail::damaged_dataset_reason(dir_);
    if (!damaged.empty()) throw InputError(damaged);
    warn_if_other_dataset();
    return;
  }
  const ImportOptions options = dataset_import_options(recipe_, share_dir_);
  host_log().info("importing dataset{} into {}", options.name.empty() ? "" : " '" + options.name + "'",
                  dir_.dataset_dir().string());
  const auto start = std::chrono::steady_clock::now();
  const ImportResult result = import_dataset(options);
  write_dataset(dir_, result);
  host_log().info("imported {} training, {} validation and {} test ratings in {:.1f} s",
                  result.dataset.training.size(), result.dataset.validation.size(),
                  result.dataset.test.size(), seconds_since(start));
}

std::vector<std::string> Runner::with_following_ensembles(std::vector<std::string> targets) const {
  const std::vector<std::string> order = dependency_order(recipe_, targets);
  const std::set<std::string> planned(order.begin(), order.end());
  for (const auto& ensemble : recipe_.ensembles) {
    if (planned.count(ensemble.name) || ensemble.members.empty()) continue;
    const bool covered = std::all_of(ensemble.members.begin(), ensemble.members.end(),
                                     [&](const std::string& m) { return planned.count(m) > 0; });
    if (covered) targets.push_back(ensemble.name);
  }
  return targets;
}

RunReport Runner::run(const RunOptions& options) {
  std::vector<std::string> targets = resolve_names(options.names);
  const std::set<std::string> forced =
      options.force ? std::set<std::string>(targets.begin(), targets.end()) : std::set<std::string>();
  if (options.follow_ensembles && !options.names.empty()) {
    targets = with_following_ensembles(std::move(targets));
  }
  const std::vector<std::string> order = dependency_order(recipe_, targets);
  auto make_plan = [&] {
    std::vector<NodeStatus> nodes = plan(order);
    for (auto& node : nodes) node.will_run = node.state != OutputState::done || forced.count(node.name);
    return nodes;
  };

  RunReport report;
  report.plan = make_plan();
  if (options.dry_run) return report;
  preflight(report.plan);

  // The import changes the dataset hash, so the plan is made again after it.
  ensure_dataset();
  report.plan = make_plan();
  remove_leftovers(dir_);
  const Dataset dataset = load_dataset(dir_.dataset_file());
  PredictionStore store(dir_, dataset);

  const std::size_t total = std::count_if(report.plan.begin(), report.plan.end(),
                                          [](const NodeStatus& node) { return node.will_run; });
  for (const NodeStatus& node : report.plan) {
    if (!node.will_run) {
      host_log().info("{}: up to date, skipped", node.name);
      report.skipped.push_back(node.name);
      continue;
    }
    const std::string why = forced.count(node.name) && node.state == OutputState::done
                                ? "forced"
                                : std::string(state_name(node.state)) + ": " + node.reason;
    host_log().info("[{}/{}] {} ({}): running ({})", report.ran.size() + 1, total, node.name,
                    node.family, why);
    const auto start = std::chrono::steady_clock::now();
    try {
      if (const RecipeAlpha* alpha = recipe_.find_alpha(node.name)) {
        run_alpha(*alpha, node.provenance, store, options.threads);
      } else {
        run_ensemble(*recipe_.find_ensemble(node.name), node.provenance, store, options.threads);
      }
    } catch (const std::exception&) {
      host_log().error("{} failed after {:.1f} s; the {} output(s) finished before it stay, and "
                       "the next run starts from {}", node.name, seconds_since(start),
                       report.ran.size(), node.name);
      rethrow_with_context((node.is_ensemble ? "ensemble '" : "alpha '") + node.name + "' (" +
                           node.family + ") failed: ");
    }
    host_log().info("{}: done in {:.1f} s", node.name, seconds_since(start));
    report.ran.push_back(node.name);
  }
  return report;
}

void Runner::preflight(const std::vector<NodeStatus>& plan) const {
  std::vector<std::string> alphas, to_run;
  for (const NodeStatus& node : plan) {
    if (node.is_ensemble) continue;
    alphas.push_back(node.name);
    if (node.will_run) to_run.push_back(node.name);
  }
  recipe_detail::Problems problems(recipe_.file.string());
  recipe_detail::check_families(recipe_, host_families(host_), alphas, problems,
                                host_.load_problem_notes());
  const ParameterCheck parameters = check_parameters(recipe_, host_, to_run);
  for (const auto& problem : parameters.problems) problems.add_message(problem);
  if (!problems.empty()) {
    host_log().error("the recipe has {} problem(s); nothing ran and no output changed",
                     problems.messages().size());
  }
  problems.throw_if_any();
}

void Runner::run_alpha(const RecipeAlpha& recipe_alpha, const nlohmann::json& provenance,
                       PredictionStore& store, int threads) const {
  AlphaSpec spec = runner_detail::alpha_spec(recipe_alpha);
  spec.provenance = provenance;

  const PluginRecord& plugin = host_.plugin_for(spec.family);
  std::shared_ptr<Alpha> alpha = host_.create(spec.family);
  const auto live_log = AlphaContext::live_log_file(dir_, spec.name);
  try {
    AlphaContext context(spec, dir_, store, threads, plugin.version);
    run_phases(*alpha, context);
  } catch (const std::exception& error) {
    // The reason goes into the alpha's own history too, which the next
    // attempt's output will contain.
    std::ofstream(live_log, std::ios::app) << "--- run failed: " << error.what() << " ---\n";
    throw;
  }

  // The output must exist and carry this run's provenance.
  const auto params = read_json(dir_.params_file(spec.name));
  const bool written = dir_.has_alpha(spec.name) && params &&
                       stored_hash(*params) ==
                           provenance["hash"].get<std::string>();
  if (!written) {
    throw PluginError("plugin " + plugin.name + " (" + plugin.file.string() +
                      ") finished without writing the predictions of '" + spec.name +
                      "'; its write phase must call context.write_predictions");
  }
  // The output contains a copy of the history, so the next run starts anew.
  std::error_code ignored;
  std::filesystem::remove(live_log, ignored);
}

void Runner::run_ensemble(const RecipeEnsemble& ensemble, const nlohmann::json& provenance,
                          PredictionStore& store, int threads) const {
  const BlendData data = load_blend_data(ensemble.members, store);
  const EnsembleResult result = fit_ensemble(ensemble.name, data, ensemble.stacker, threads);
  write_ensemble(dir_, result, provenance);
  host_log().info("{}: blend of {} alphas, validation RMSE {:.4f}, test RMSE {:.4f}; report in {}",
                  ensemble.name, ensemble.members.size(), result.validation.metrics.rmse,
                  result.test.metrics.rmse, ensemble_report_file(dir_, ensemble.name).string());
}

}  // namespace alphas
