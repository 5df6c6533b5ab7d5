// The interface every alpha implements, and the context the framework hands
// it: data, residuals, parameters, logging and the prediction writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alphas/data_dir.hpp"
#include "alphas/dataset.hpp"
#include "alphas/residuals.hpp"

namespace alphas {

// What a recipe says about one alpha.
struct AlphaSpec {
  std::string name;                          // e.g. "MatrixFactorization.10"
  std::string family;                        // e.g. "MatrixFactorization"
  std::vector<std::string> residual_alphas;  // inputs: the alpha fits residuals of these
  std::vector<std::string> target_alphas;    // empty: the target is residual_alphas too
  nlohmann::json params = nlohmann::json::object();
  uint64_t seed = 1;
  // Stored in params.json as-is; the runner puts the content hash here.
  nlohmann::json provenance = nlohmann::json::object();

  // The residual list the alpha's metrics are measured against.
  const std::vector<std::string>& metric_alphas() const {
    return target_alphas.empty() ? residual_alphas : target_alphas;
  }
};

// Predicts one value per (users[k], items[k]) pair.
using Predictor = std::function<std::vector<float>(const std::vector<int32_t>& users,
                                                   const std::vector<int32_t>& items)>;

struct OutputOptions {
  // The output is stored as <alpha name><suffix>, e.g. "GNN.1.Implicit".
  std::string suffix;
  // An implicit output is a probability that the pair is on the user's list:
  // only validation and test are stored, and the log shows cross-entropy.
  bool implicit = false;
};

template <class T>
struct is_param_list : std::false_type {};
template <class T>
struct is_param_list<std::vector<T>> : std::true_type {};

// A parameter type in messages, with its article: "an integer from 0 to
// 4294967295", "a number", "a list (each entry a number)".
template <class T>
std::string param_type_name() {
  if constexpr (std::is_same_v<T, bool>) {
    return "a boolean (true or false)";
  } else if constexpr (std::is_integral_v<T>) {
    return "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
           std::to_string(std::numeric_limits<T>::max());
  } else if constexpr (std::is_floating_point_v<T>) {
    return "a number";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "a string";
  } else if constexpr (is_param_list<T>::value) {
    return "a list (each entry " + param_type_name<typename T::value_type>() + ")";
  } else {
    return "a value of the type in the plugin's parameter table";
  }
}

// True when an integer JSON value is within the range of T.
template <class T>
bool param_fits(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  }
  const int64_t v = value.get<int64_t>();
  if constexpr (std::is_unsigned_v<T>) {
    return v >= 0 && static_cast<uint64_t>(v) <= std::numeric_limits<T>::max();
  } else {
    return v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
  }
}

// One problem that the configure phase found in an alpha's parameters.
struct ParamProblem {
  std::string key;      // the parameter at fault; empty when no single key is
  std::string message;  // complete: names the alpha, the key, the value and the fix
};

// The recipe parameters of one alpha, read and checked in the configure
// phase. A value of the wrong type does not throw: it is recorded as a
// problem and the fallback is returned, so that one pass over an alpha's
// parameters reports all of its problems.
class AlphaParams {
 public:
  explicit AlphaParams(AlphaSpec spec);

  const AlphaSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  // True when the recipe sets `key`. Like get, the call records `key` as a
  // parameter of the alpha.
  bool contains(const std::string& key) const {
    known_keys_.insert(key);
    return spec_.params.contains(key);
  }

  // The value of `key` from the recipe, or `fallback` when absent. A value
  // of another JSON type, or an integer outside the range of T, is recorded
  // as a problem and `fallback` is returned. Every value returned is
  // recorded in params.json.
  template <class T>
  T get(const std::string& key, const T& fallback);

  // Records "<alpha>: parameter '<key>' is <value>, but <rule>; fix it in
  // the recipe's params", e.g. with rule "it must be >= 1".
  void reject(const std::string& key, const std::string& value, const std::string& rule);
  // Records a problem in other words: `message` names the alpha and the
  // fix. `key` is the parameter at fault, or "" when no single key is. A
  // key keeps only its first problem, so a check on the fallback returned
  // after a type problem adds nothing.
  void add_problem(const std::string& key, const std::string& message);

  const std::vector<ParamProblem>& problems() const { return problems_; }
  // Throws InputError with every problem, one per line, if there is any.
  void throw_if_invalid() const;

  // The values read, defaults included, as params.json records them.
  const nlohmann::json& used() const { return used_; }
  // Keys of the recipe's params that the alpha never read, in key order.
  // The preflight and `alphas check` reject each as an unknown parameter.
  std::vector<std::string> unused() const;
  // Every key the alpha read through get or contains, set in the recipe or
  // not, in key order. These are the alpha's parameter names.
  std::vector<std::string> known() const { return {known_keys_.begin(), known_keys_.end()}; }

 private:
  bool has_problem(const std::string& key) const;

  AlphaSpec spec_;
  nlohmann::json used_ = nlohmann::json::object();
  std::set<std::string> read_keys_;
  mutable std::set<std::string> known_keys_;
  std::vector<ParamProblem> problems_;
};

class AlphaContext;

// An alpha runs in four phases, always in this order, each called once.
// The runner calls configure for every alpha of a run before any alpha
// loads data, so a bad parameter stops the run before hours of work.
// `alphas check` calls it for every alpha of a recipe, without a dataset.
class Alpha {
 public:
  virtual ~Alpha() = default;
  // Phase 0: read every parameter through `params` into the alpha's
  // settings and check it, recording problems with params.reject. It must
  // not need the dataset. An exception thrown here counts as one problem.
  virtual void configure(AlphaParams& params) = 0;
  // Phase 1: read residual inputs and whatever else the alpha trains on.
  // Checks that need the data (e.g. K against the number of items) go here.
  virtual void load(AlphaContext& context) = 0;
  // Phase 2: fit the model, tuning hyperparameters on validation.
  virtual void train(AlphaContext& context) = 0;
  // Phase 3: predict every pair of every split through
  // context.write_predictions.
  virtual void write(AlphaContext& context) = 0;
  // NOTE: a fifth phase, predicting for a user who was not in the import,
  // will be added here as a virtual with a default that reports "not supported".
};

// Runs alpha.configure(params) and returns params.problems(). An exception
// thrown by configure is added as a problem naming the alpha.
const std::vector<ParamProblem>& configure_alpha(Alpha& alpha, AlphaParams& params);

// Runs configure (on context.params()), load, train and write, as the
// runner runs one alpha. Throws InputError with every parameter problem
// before load when configure finds any.
void run_phases(Alpha& alpha, AlphaContext& context);

class AlphaContext {
 public:
  AlphaContext(AlphaSpec spec, DataDir dir, PredictionStore& store, int threads,
               std::string plugin_version);
  ~AlphaContext();

  const AlphaSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  const Dataset& dataset() const { return store_.dataset(); }
  PredictionStore& store() { return store_; }
  int threads() const { return threads_; }
  uint64_t seed() const { return spec_.seed; }
  spdlog::logger& log() const { return *log_; }

  // The parameters to hand to Alpha::configure; params.json records the
  // values read through them.
  AlphaParams& params() { return params_; }

  // residuals(split, residual_alphas): the alpha's training input.
  Ratings residuals(Split split);
  // residuals(split, metric_alphas): what the alpha is trained to predict
  // when the spec names target alphas, and what its metrics are measured on.
  Ratings target_residuals(Split split);

  // Records a fitted hyperparameter (e.g. a tuned lambda) in params.json.
  void record(const std::string& key, nlohmann::json value);

  // A folder that persists across runs of this alpha, for checkpoints.
  std::filesystem::path work_dir() const;

  // The live log of the alpha `name`: every attempt since its last stored
  // output (a failure, a killed run, a resumed checkpoint), each after a
  // "--- run started <UTC time> ---" line. write_predictions copies it into
  // the output, and the runner removes it once the output is stored.
  static std::filesystem::path live_log_file(const DataDir& dir, const std::string& name);

  // Predicts every pair of training, validation and test (validation and
  // test only for implicit outputs), checks every value is finite, logs the
  // metrics of b * prediction against target_residuals (training and
  // validation; never test), and stores predictions, params, metrics and
  // the log as one folder that appears atomically.
  void write_predictions(const Predictor& predict, const OutputOptions& options = {});

  // Parameters of the recipe that the alpha never read; the runner's
  // preflight rejects them before any alpha runs.
  std::vector<std::string> unused_params() const { return params_.unused(); }

 private:
  AlphaSpec spec_;
  AlphaParams params_;
  DataDir dir_;
  PredictionStore& store_;
  int threads_;
  std::string plugin_version_;
  std::shared_ptr<spdlog::logger> log_;
  nlohmann::json fitted_ = nlohmann::json::object();
};

template <class T>
T AlphaParams::get(const std::string& key, const T& fallback) {
  read_keys_.insert(key);
  known_keys_.insert(key);
  T value = fallback;
  auto found = spec_.params.find(key);
  if (found != spec_.params.end()) {
    // JSON would convert 2.5 to 2, true to 1 and 2^32 + 1 to 1 silently.
    bool valid = true;
    if constexpr (std::is_same_v<T, bool>) {
      valid = found->is_boolean();
    } else if constexpr (std::is_integral_v<T>) {
      valid = (found->is_number_integer() || found->is_number_unsigned()) &&
              param_fits<T>(*found);
    } else if constexpr (std::is_floating_point_v<T>) {
      valid = found->is_number();
    }
    try {
      if (valid) value = found->template get<T>();
    } catch (const nlohmann::json::exception&) {
      valid = false;
    }
    if (!valid) {
      reject(key, found->dump(), "it must be " + param_type_name<T>());
      value = fallback;
    }
  }
  used_[key] = value;
  return value;
}

// Throws NumericError naming the family, parameter and first non-finite
// index when `values` contains NaN or infinity.
void check_finite(const std::string& family, const std::string& parameter,
                  const float* values, std::size_t n);
inline void check_finite(const std::string& family, const std::string& parameter,
                         const std::vector<float>& values) {
  check_finite(family, parameter, values.data(), values.size());
}
void check_finite(const std::string& family, const std::string& parameter,
                  const std::vector<double>& values);

}  // namespace alphas
