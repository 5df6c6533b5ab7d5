// The interface every alpha implements, and the context the framework hands
// it: data, residuals, parameters, logging and the prediction writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <type_traits>
#include <memory>
#include <optional>
#include <set>
#include <string>
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

// Throws InputError: "<alpha>: parameter '<key>' has invalid value <value>".
[[noreturn]] void throw_param_type_error(const std::string& alpha, const std::string& key,
                                         const std::string& value);

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

class AlphaContext;

// An alpha runs in three phases, always in this order, each called once.
class Alpha {
 public:
  virtual ~Alpha() = default;
  // Phase 1: read residual inputs and whatever else the alpha trains on.
  virtual void load(AlphaContext& context) = 0;
  // Phase 2: fit the model, tuning hyperparameters on validation.
  virtual void train(AlphaContext& context) = 0;
  // Phase 3: predict every pair of every split through
  // context.write_predictions.
  virtual void write(AlphaContext& context) = 0;
  // NOTE: a fourth phase, predicting for a user who was not in the import,
  // will be added here as a virtual with a default that reports "not supported".
};

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

  // residuals(split, residual_alphas): the alpha's training input.
  Ratings residuals(Split split);
  // residuals(split, metric_alphas): what the alpha is trained to predict
  // when the spec names target alphas, and what its metrics are measured on.
  Ratings target_residuals(Split split);

  // The value of a parameter from the recipe, or `fallback` when absent.
  // Throws InputError naming the alpha, key and value when the type is wrong.
  // Every value read is recorded in params.json.
  template <class T>
  T param(const std::string& key, const T& fallback);

  // Records a fitted hyperparameter (e.g. a tuned lambda) in params.json.
  void record(const std::string& key, nlohmann::json value);

  // A folder that persists across runs of this alpha, for checkpoints.
  std::filesystem::path work_dir() const;

  // Predicts every pair of training, validation and test (validation and
  // test only for implicit outputs), checks every value is finite, logs the
  // metrics of b * prediction against target_residuals (training and
  // validation; never test), and stores predictions, params, metrics and
  // the log as one folder that appears atomically.
  void write_predictions(const Predictor& predict, const OutputOptions& options = {});

  // Parameters of the recipe that the alpha never read; the runner warns.
  std::vector<std::string> unused_params() const;

 private:
  AlphaSpec spec_;
  DataDir dir_;
  PredictionStore& store_;
  int threads_;
  std::string plugin_version_;
  std::shared_ptr<spdlog::logger> log_;
  nlohmann::json used_params_ = nlohmann::json::object();
  nlohmann::json fitted_ = nlohmann::json::object();
  std::set<std::string> read_keys_;
};

template <class T>
T AlphaContext::param(const std::string& key, const T& fallback) {
  read_keys_.insert(key);
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
    if (!valid) throw_param_type_error(spec_.name, key, found->dump());
    try {
      value = found->template get<T>();
    } catch (const nlohmann::json::exception&) {
      throw_param_type_error(spec_.name, key, found->dump());
    }
  }
  used_params_[key] = value;
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
