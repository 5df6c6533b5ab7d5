#include "settings.hpp"

#include <sstream>

#include <torch/cuda.h>
#include <ATen/Context.h>

#include "alphas/alpha.hpp"
#include "alphas/error.hpp"

namespace alphas::autoencoder {
namespace {

template <class T>
std::string text(const T& value) {
  return nlohmann::json(value).dump();
}

[[noreturn]] void reject(const std::string& alpha, const std::string& key, const std::string& value,
                         const std::string& valid) {
  throw InputError(alpha + ": parameter '" + key + "' has invalid value " + value + "; " + valid);
}

}  // namespace

nlohmann::json Settings::trajectory_json() const {
  return {{"encoder_widths", encoder_widths},
          {"dropout", dropout},
          {"learning_rate", adam.learning_rate},
          {"beta1", adam.beta1},
          {"beta2", adam.beta2},
          {"epsilon", adam.epsilon},
          {"optimizer", optimizer_name(optimizer)},
          {"batch_size", batch_size},
          {"eval_interval", eval_interval},
          {"patience", early_stopping.patience},
          {"smoothing", early_stopping.smoothing},
          {"min_improvement", early_stopping.min_improvement},
          {"training_eval_batches", training_eval_batches},
          {"validation_eval_batches", validation_eval_batches},
          {"implicit_weight", implicit_weight},
          {"device", device},
          {"formulation", formulation == Formulation::sparse ? "sparse" : "dense"}};
}

void check_device(const std::string& alpha, const std::string& device) {
  if (device == "cpu") return;
  if (device.rfind("cuda", 0) != 0) {
    reject(alpha, "device", "\"" + device + "\"", "use cpu, cuda or cuda:<index>");
  }
  int64_t index = 0;
  if (device.size() > 4) {
    std::istringstream in(device.substr(device.size() > 5 ? 5 : 4));
    if (device[4] != ':' || !(in >> index) || !in.eof() || index < 0) {
      reject(alpha, "device", "\"" + device + "\"", "use cpu, cuda or cuda:<index>");
    }
  }
  if (!at::hasCUDA()) {
    throw InputError(alpha + ": parameter 'device' is \"" + device +
                     "\" but this LibTorch build has no CUDA support; use device: cpu, or "
                     "build the autoencoder plugin against a CUDA-enabled LibTorch");
  }
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (index >= count) {
    throw InputError(alpha + ": parameter 'device' is \"" + device + "\" but " +
                     std::to_string(count) + " CUDA device(s) are visible; use device: cpu or " +
                     "a device index below " + std::to_string(count));
  }
}

namespace {

// Reads `key` and rejects it with `rule` unless valid(value).
template <class T, class Valid>
T checked_param(AlphaParams& params, const std::string& key, const T& fallback, Valid valid,
                const std::string& rule) {
  const T value = params.get<T>(key, fallback);
  if (!valid(value)) params.reject(key, text(value), rule);
  return value;
}

bool is_rate(double value) { return value >= 0 && value < 1; }
bool is_positive(double value) { return value > 0; }
bool is_nonnegative(double value) { return value >= 0; }
bool is_at_least_one(int64_t value) { return value >= 1; }

void read_optimizer(AlphaParams& params, Settings& s) {
  const std::string optimizer = params.get<std::string>("optimizer", optimizer_name(s.optimizer));
  try {
    s.optimizer = parse_optimizer(optimizer);
  } catch (const InputError&) {
    params.reject("optimizer", text(optimizer), "it must be adam or lazy_adam");
  }
}

void read_device(AlphaParams& params, Settings& s) {
  s.device = params.get<std::string>("device", s.device);
  try {
    check_device(params.name(), s.device);
  } catch (const InputError& error) {
    params.add_problem("device", error.what());
  }
  const std::string default_formulation = s.device == "cpu" ? "sparse" : "dense";
  const std::string formulation = params.get<std::string>("formulation", default_formulation);
  if (formulation == "sparse") {
    s.formulation = Formulation::sparse;
  } else if (formulation == "dense") {
    s.formulation = Formulation::dense;
  } else {
    params.reject("formulation", text(formulation), "it must be sparse or dense");
  }
  if (s.formulation == Formulation::sparse && s.device != "cpu") {
    params.reject("formulation", "\"sparse\"",
                  "the sparse kernels run on the CPU; use formulation: dense with device: " +
                      s.device);
  }
}

}  // namespace

Settings read_settings(AlphaParams& params, bool implicit_head) {
  Settings s;

  s.encoder_widths = params.get<std::vector<int64_t>>("encoder_widths", s.encoder_widths);
  if (s.encoder_widths.empty()) {
    params.reject("encoder_widths", "[]", "give at least one layer width, e.g. [512, 256, 128]");
  }
  for (int64_t w : s.encoder_widths) {
    if (w < 1) params.reject("encoder_widths", text(s.encoder_widths), "every width must be at least 1");
  }

  s.dropout = checked_param(params, "dropout", s.dropout, is_rate, "it must be a rate in [0, 1)");
  s.adam.learning_rate = checked_param(params, "learning_rate", s.adam.learning_rate, is_positive,
                                       "it must be > 0");
  s.adam.beta1 = checked_param(params, "beta1", s.adam.beta1, is_rate, "it must be in [0, 1)");
  s.adam.beta2 = checked_param(params, "beta2", s.adam.beta2, is_rate, "it must be in [0, 1)");
  s.adam.epsilon = checked_param(params, "epsilon", s.adam.epsilon, is_positive, "it must be > 0");
  read_optimizer(params, s);

  s.batch_size = checked_param(params, "batch_size", s.batch_size, is_at_least_one, "it must be >= 1");
  s.eval_interval = checked_param(params, "eval_interval", s.eval_interval, is_at_least_one,
                                  "it must be a number of steps >= 1");
  s.early_stopping.patience = checked_param(params, "patience", s.early_stopping.patience,
                                            is_at_least_one, "it must be a number of evaluations >= 1");
  s.early_stopping.smoothing = checked_param(params, "smoothing", s.early_stopping.smoothing,
                                             is_rate, "it must be in [0, 1)");
  s.early_stopping.min_improvement =
      checked_param(params, "min_improvement", s.early_stopping.min_improvement, is_nonnegative,
                    "it must be >= 0");
  s.max_steps = checked_param(params, "max_steps", s.max_steps, is_at_least_one,
                              "it must be a number of steps >= 1");
  s.training_eval_batches =
      checked_param(params, "training_eval_batches", s.training_eval_batches,
                    [](int64_t value) { return value >= 0; },
                    "it must be >= 0 (0 skips the training loss)");
  s.validation_eval_batches = checked_param(params, "validation_eval_batches",
                                            s.validation_eval_batches, is_at_least_one,
                                            "it must be >= 1");

  if (implicit_head) {
    s.implicit_weight = checked_param(params, "implicit_weight", s.implicit_weight,
                                      is_nonnegative, "it must be >= 0");
  }

  read_device(params, s);
  s.resume = params.get<bool>("resume", s.resume);
  s.prediction_batch_users = checked_param(params, "prediction_batch_users",
                                           s.prediction_batch_users, is_at_least_one,
                                           "it must be >= 1");
  return s;
}

}  // namespace alphas::autoencoder
