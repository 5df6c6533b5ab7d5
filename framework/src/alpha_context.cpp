#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>

#include "alphas/alpha.hpp"
#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/log.hpp"
#include "alphas/metrics.hpp"
#include "alphas/sparse.hpp"

namespace alphas {

AlphaParams::AlphaParams(AlphaSpec spec) : spec_(std::move(spec)) {}

bool AlphaParams::has_problem(const std::string& key) const {
  return std::any_of(problems_.begin(), problems_.end(),
                     [&](const ParamProblem& problem) { return problem.key == key; });
}

void AlphaParams::reject(const std::string& key, const std::string& value,
                         const std::string& rule) {
  add_problem(key, spec_.name + ": parameter '" + key + "' is " + value + ", but " + rule +
                       "; fix it in the recipe's params");
}

void AlphaParams::add_problem(const std::string& key, const std::string& message) {
  if (!key.empty() && has_problem(key)) return;
  problems_.push_back({key, message});
}

void AlphaParams::throw_if_invalid() const {
  if (problems_.empty()) return;
  if (problems_.size() == 1) throw InputError(problems_.front().message);
  std::string text = spec_.name + ": " + std::to_string(problems_.size()) + " invalid parameters:";
  for (const auto& problem : problems_) text += "\n  " + problem.message;
  throw InputError(text);
}

std::vector<std::string> AlphaParams::unused() const {
  std::vector<std::string> unused;
  for (const auto& [key, value] : spec_.params.items()) {
    if (!read_keys_.count(key)) unused.push_back(key);
  }
  return unused;
}

const std::vector<ParamProblem>& configure_alpha(Alpha& alpha, AlphaParams& params) {
  try {
    alpha.configure(params);
  } catch (const std::exception& error) {
    // Plugin messages usually start with the alpha's name already.
    std::string message = error.what();
    if (message.rfind(params.name() + ":", 0) != 0) message = params.name() + ": " + message;
    params.add_problem(std::string(), message);
  }
  return params.problems();
}

void run_phases(Alpha& alpha, AlphaContext& context) {
  configure_alpha(alpha, context.params());
  context.params().throw_if_invalid();
  alpha.load(context);
  alpha.train(context);
  alpha.write(context);
}

namespace {

template <class T>
void check_finite_values(const std::string& family, const std::string& parameter, const T* values,
                         std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(values[k])) {
      throw NumericError(family + ": " + parameter + " is not finite (value " +
                         std::to_string(values[k]) + " at index " + std::to_string(k) + " of " +
                         std::to_string(n) + "); nothing was written");
    }
  }
}

}  // namespace

void check_finite(const std::string& family, const std::string& parameter, const float* values,
                  std::size_t n) {
  check_finite_values(family, parameter, values, n);
}

void check_finite(const std::string& family, const std::string& parameter,
                  const std::vector<double>& values) {
  check_finite_values(family, parameter, values.data(), values.size());
}

namespace {

// The current time as "2026-12-04 23:41:41 UTC".
std::string utc_now_text() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::filesystem::path work_dir_of(const DataDir& dir, const std::string& name) {
  return dir.alphas_dir() / ".work" / name;
}

}  // namespace

AlphaContext::AlphaContext(AlphaSpec spec, DataDir dir, PredictionStore& store, int threads,
                           std::string plugin_version)
    : spec_(std::move(spec)),
      params_(spec_),
      dir_(std::move(dir)),
      store_(store),
      threads_(threads),
      plugin_version_(std::move(plugin_version)) {
  std::filesystem::create_directories(work_dir());
  // Earlier attempts stay in the live log, so that a resumed alpha's
  // output keeps the history of the runs it resumed from.
  const auto log_path = live_log_file(dir_, spec_.name);
  std::ofstream(log_path, std::ios::app) << "--- run started " << utc_now_text() << " ---\n";
  log_ = make_logger(spec_.name, log_path);
}

AlphaContext::~AlphaContext() {
  if (log_) log_->flush();
}

std::filesystem::path AlphaContext::work_dir() const { return work_dir_of(dir_, spec_.name); }

std::filesystem::path AlphaContext::live_log_file(const DataDir& dir, const std::string& name) {
  return work_dir_of(dir, name) / "log.txt";
}

Ratings AlphaContext::residuals(Split split) { return store_.residuals(split, spec_.residual_alphas); }

Ratings AlphaContext::target_residuals(Split split) {
  return store_.residuals(split, spec_.metric_alphas());
}

void AlphaContext::record(const std::string& key, nlohmann::json value) {
  fitted_[key] = std::move(value);
}

namespace {

nlohmann::json metrics_json(const Metrics& m, std::size_t n) {
  return {{"rmse", m.rmse}, {"mae", m.mae}, {"r2", m.r2}, {"b", m.b}, {"n", n}};
}

// Logs how many pairs of a split fall back on an unseen-user or unseen-item
// rule, so cold-start predictions are visible in every alpha's log.
void log_unseen_pairs(spdlog::logger& log, const Dataset& data, Split split) {
  const std::vector<bool> seen_users = seen_mask(data.training.user, data.n_users);
  const std::vector<bool> seen_items = seen_mask(data.training.item, data.n_items);
  const Ratings& pairs = data.split(split);
  std::size_t unseen_user = 0, unseen_item = 0;
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    if (!seen_users[pairs.user[k]]) ++unseen_user;
    if (!seen_items[pairs.item[k]]) ++unseen_item;
  }
  if (unseen_user + unseen_item > 0) {
    log.info("{}: {} of {} pairs have an unseen user and {} an unseen item (no training rating)",
             split_name(split), unseen_user, pairs.size(), unseen_item);
  }
}

}  // namespace

void AlphaContext::write_predictions(const Predictor& predict, const OutputOptions& options) {
  const std::string output = spec_.name + options.suffix;
  std::vector<Split> splits(kExplicitSplits.begin(), kExplicitSplits.end());
  if (options.implicit) splits = {Split::validation, Split::test};

  // Predict and check everything before anything is written.
  std::vector<std::vector<float>> predictions;
  for (Split split : splits) {
    const Ratings& pairs = dataset().split(split);
    log_->info("{}: predicting {} {} pairs", output, pairs.size(), split_name(split));
    std::vector<float> p = predict(pairs.user, pairs.item);
    if (p.size() != pairs.size()) {
      throw Error(spec_.family + ": predictor returned " + std::to_string(p.size()) +
                  " values for " + std::to_string(pairs.size()) + " " + split_name(split) +
                  " pairs");
    }
    check_finite(spec_.family, output + " " + split_name(split) + " predictions", p);
    if (split != Split::training) log_unseen_pairs(*log_, dataset(), split);
    predictions.push_back(std::move(p));
  }

  // Metrics on training and validation only: test stays unseen.
  nlohmann::json metrics = nlohmann::json::object();
  for (std::size_t s = 0; s < splits.size(); ++s) {
    if (splits[s] == Split::test) continue;
    const char* name = split_name(splits[s]);
    if (options.implicit) {
      double ce = cross_entropy(predictions[s]);
      metrics[name] = {{"cross_entropy", ce}, {"n", predictions[s].size()}};
      log_->info("{} {}: cross-entropy {:.6f}", output, name, ce);
    } else {
      const Ratings truth = target_residuals(splits[s]);
      Metrics m = scaled_metrics(predictions[s], truth.rating);
      metrics[name] = metrics_json(m, truth.size());
      log_->info("{} {}: RMSE {:.6f}  MAE {:.6f}  R2 {:.6f}  (b = {:.4f})", output, name, m.rmse,
                 m.mae, m.r2, m.b);
    }
  }

  nlohmann::json effective = params_.used();
  for (const auto& [key, value] : spec_.params.items()) {
    if (!effective.contains(key)) effective[key] = value;
  }
  nlohmann::json params = {{"name", output},
                           {"family", spec_.family},
                           {"plugin_version", plugin_version_},
                           {"inputs", spec_.residual_alphas},
                           {"targets", spec_.metric_alphas()},
                           {"params", effective},
                           {"fitted", fitted_},
                           {"seed", spec_.seed},
                           {"implicit", options.implicit},
                           {"provenance", spec_.provenance}};

  // Stage the whole output folder, then swap it into place.
  log_->flush();
  const auto staged = dir_.alphas_dir() / ".staging" /
                      (output + "." + std::to_string(getpid()));
  std::error_code ignored;
  std::filesystem::remove_all(staged, ignored);
  std::filesystem::create_directories(staged);
  try {
    {
      H5File h5(staged / "predictions.h5", H5File::Mode::create);
      for (std::size_t s = 0; s < splits.size(); ++s) h5.write(split_name(splits[s]), predictions[s]);
    }
    // The runner compares this checksum before it trusts the output again.
    params["checksums"] = {{"predictions.h5", sha256_file(staged / "predictions.h5")}};
    std::ofstream(staged / "params.json") << params.dump(2) << "\n";
    std::ofstream(staged / "metrics.json") << metrics.dump(2) << "\n";
    std::filesystem::copy_file(live_log_file(dir_, spec_.name), staged / "log.txt",
                               std::filesystem::copy_options::overwrite_existing, ignored);
    replace_folder(staged, dir_.alpha_dir(output));
  } catch (...) {
    std::filesystem::remove_all(staged, ignored);
    throw;
  }
  log_->info("{}: wrote {}", output, dir_.alpha_dir(output).string());
}

}  // namespace alphas
