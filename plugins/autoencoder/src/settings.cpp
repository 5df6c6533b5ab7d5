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

Settings read_settings(AlphaContext& context, bool implicit_head) {
  const std::string& alpha = context.name();
  Settings s;

  s.encoder_widths = context.param<std::vector<int64_t>>("encoder_widths", s.encoder_widths);
  if (s.encoder_widths.empty()) {
    reject(alpha, "encoder_widths", "[]", "give at least one layer width, e.g. [512, 256, 128]");
  }
  for (int64_t w : s.encoder_widths) {
    if (w < 1) reject(alpha, "encoder_widths", text(s.encoder_widths), "every width must be at least 1");
  }

  s.dropout = context.param<double>("dropout", s.dropout);
  if (!(s.dropout >= 0 && s.dropout < 1)) reject(alpha, "dropout", text(s.dropout), "use a rate in [0, 1)");

  s.adam.learning_rate = context.param<double>("learning_rate", s.adam.learning_rate);
  if (!(s.adam.learning_rate > 0)) reject(alpha, "learning_rate", text(s.adam.learning_rate), "use a value > 0");
  s.adam.beta1 = context.param<double>("beta1", s.adam.beta1);
  if (!(s.adam.beta1 >= 0 && s.adam.beta1 < 1)) reject(alpha, "beta1", text(s.adam.beta1), "use a value in [0, 1)");
  s.adam.beta2 = context.param<double>("beta2", s.adam.beta2);
  if (!(s.adam.beta2 >= 0 && s.adam.beta2 < 1)) reject(alpha, "beta2", text(s.adam.beta2), "use a value in [0, 1)");
  s.adam.epsilon = context.param<double>("epsilon", s.adam.epsilon);
  if (!(s.adam.epsilon > 0)) reject(alpha, "epsilon", text(s.adam.epsilon), "use a value > 0");
  s.optimizer = parse_optimizer(context.param<std::string>("optimizer", optimizer_name(s.optimizer)));

  s.batch_size = context.param<int64_t>("batch_size", s.batch_size);
  if (s.batch_size < 1) reject(alpha, "batch_size", text(s.batch_size), "use a value >= 1");
  s.eval_interval = context.param<int64_t>("eval_interval", s.eval_interval);
  if (s.eval_interval < 1) reject(alpha, "eval_interval", text(s.eval_interval), "use a number of steps >= 1");
  s.early_stopping.patience = context.param<int64_t>("patience", s.early_stopping.patience);
  if (s.early_stopping.patience < 1) reject(alpha, "patience", text(s.early_stopping.patience), "use a number of evaluations >= 1");
  s.early_stopping.smoothing = context.param<double>("smoothing", s.early_stopping.smoothing);
  if (!(s.early_stopping.smoothing >= 0 && s.early_stopping.smoothing < 1)) {
    reject(alpha, "smoothing", text(s.early_stopping.smoothing), "use a value in [0, 1)");
  }
  s.early_stopping.min_improvement = context.param<double>("min_improvement", s.early_stopping.min_improvement);
  if (!(s.early_stopping.min_improvement >= 0)) {
    reject(alpha, "min_improvement", text(s.early_stopping.min_improvement), "use a value >= 0");
  }
  s.max_steps = context.param<int64_t>("max_steps", s.max_steps);
  if (s.max_steps < 1) reject(alpha, "max_steps", text(s.max_steps), "use a number of steps >= 1");
  s.training_eval_batches = context.param<int64_t>("training_eval_batches", s.training_eval_batches);
  if (s.training_eval_batches < 0) reject(alpha, "training_eval_batches", text(s.training_eval_batches), "use a value >= 0 (0 skips the training loss)");
  s.validation_eval_batches = context.param<int64_t>("validation_eval_batches", s.validation_eval_batches);
  if (s.validation_eval_batches < 1) reject(alpha, "validation_eval_batches", text(s.validation_eval_batches), "use a value >= 1");

  if (implicit_head) {
    s.implicit_weight = context.param<double>("implicit_weight", s.implicit_weight);
    if (!(s.implicit_weight >= 0)) reject(alpha, "implicit_weight", text(s.implicit_weight), "use a value >= 0");
  }

  s.device = context.param<std::string>("device", s.device);
  check_device(alpha, s.device);
  const std::string default_formulation = s.device == "cpu" ? "sparse" : "dense";
  const std::string formulation = context.param<std::string>("formulation", default_formulation);
  if (formulation == "sparse") {
    s.formulation = Formulation::sparse;
  } else if (formulation == "dense") {
    s.formulation = Formulation::dense;
  } else {
    reject(alpha, "formulation", "\"" + formulation + "\"", "use sparse or dense");
  }
  if (s.formulation == Formulation::sparse && s.device != "cpu") {
    reject(alpha, "formulation", "\"sparse\"",
           "the sparse kernels run on the CPU; use formulation: dense with device: " + s.device);
  }

  s.resume = context.param<bool>("resume", s.resume);
  s.prediction_batch_users = context.param<int64_t>("prediction_batch_users", s.prediction_batch_users);
  if (s.prediction_batch_users < 1) reject(alpha, "prediction_batch_users", text(s.prediction_batch_users), "use a value >= 1");
  return s;
}

}  // namespace alphas::autoencoder
