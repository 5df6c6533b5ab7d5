// The stacker: XGBoost trees on the residual of the linear blend, through
// the XGBoost C API (xgboost/c_api.h, version 1.7).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>

#include <nlohmann/json.hpp>
#include <xgboost/c_api.h>

#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"

namespace alphas {

namespace {

// Fewer validation ratings than this leave too few rows for both the
// training and the holdout part.
constexpr std::size_t kMinStackerRows = 20;

void check(int status, const char* call) {
  if (status != 0) {
    throw Error(std::string("stacker: XGBoost ") + call + " failed: " + XGBGetLastError());
  }
}

// Owns a DMatrixHandle.
class Matrix {
 public:
  // `features` is row-major, rows x columns.
  Matrix(const std::vector<float>& features, std::size_t rows, std::size_t columns) {
    check(XGDMatrixCreateFromMat(features.data(), rows, columns, std::nanf(""), &handle_),
          "XGDMatrixCreateFromMat");
  }
  ~Matrix() { XGDMatrixFree(handle_); }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;

  void set_labels(const std::vector<float>& labels) {
    check(XGDMatrixSetFloatInfo(handle_, "label", labels.data(), labels.size()),
          "XGDMatrixSetFloatInfo");
  }
  DMatrixHandle handle() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

// Owns a BoosterHandle.
class Booster {
 public:
  explicit Booster(const Matrix& training) {
    DMatrixHandle cache[] = {training.handle()};
    check(XGBoosterCreate(cache, 1, &handle_), "XGBoosterCreate");
  }
  ~Booster() { XGBoosterFree(handle_); }
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  void set(const std::string& name, const std::string& value) {
    check(XGBoosterSetParam(handle_, name.c_str(), value.c_str()), "XGBoosterSetParam");
  }
  void update(int round, const Matrix& training) {
    check(XGBoosterUpdateOneIter(handle_, round, training.handle()), "XGBoosterUpdateOneIter");
    if (round == 0) base_score_ = read_base_score();
  }

  // Sums the outputs of the trees of rounds [begin, end) for each row.
  // XGBoost adds base_score to every prediction, so it is subtracted here,
  // and an empty range returns zeros without calling XGBoost, which reads
  // iteration_end 0 as "every tree".
  std::vector<float> tree_sum(const Matrix& data, std::size_t rows, int begin, int end) const {
    if (begin >= end) return std::vector<float>(rows, 0.0f);
    std::vector<float> sum = predict(data, begin, end);
    for (float& value : sum) value -= base_score_;
    return sum;
  }

 private:
  // Predicts with the trees of rounds [begin, end), plus base_score.
  std::vector<float> predict(const Matrix& data, int begin, int end) const {
    const std::string config = R"({"type": 0, "training": false, "iteration_begin": )" +
                               std::to_string(begin) + R"(, "iteration_end": )" +
                               std::to_string(end) + R"(, "strict_shape": false})";
    const bst_ulong* shape = nullptr;
    bst_ulong dimensions = 0;
    const float* values = nullptr;
    check(XGBoosterPredictFromDMatrix(handle_, data.handle(), config.c_str(), &shape, &dimensions,
                                      &values),
          "XGBoosterPredictFromDMatrix");
    bst_ulong count = 1;
    for (bst_ulong d = 0; d < dimensions; ++d) count *= shape[d];
    return std::vector<float>(values, values + count);
  }

  // The base_score the model uses, from its JSON configuration, where
  // XGBoost 1.7 stores it as a string such as "5E-1".
  float read_base_score() const {
    bst_ulong length = 0;
    const char* text = nullptr;
    check(XGBoosterSaveJsonConfig(handle_, &length, &text), "XGBoosterSaveJsonConfig");
    const auto config = nlohmann::json::parse(std::string(text, length), nullptr, false);
    const auto pointer = nlohmann::json::json_pointer("/learner/learner_model_param/base_score");
    if (config.is_discarded() || !config.contains(pointer) || !config[pointer].is_string()) {
      throw Error("stacker: the XGBoost model configuration has no base_score string at " +
                  pointer.to_string() + "; this XGBoost version is not supported (1.7 is)");
    }
    const std::string value = config[pointer].get<std::string>();
    char* end = nullptr;
    const float base_score = std::strtof(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size()) {
      throw Error("stacker: the XGBoost model configuration has base_score \"" + value +
                  "\", which is not a number");
    }
    return base_score;
  }

  BoosterHandle handle_ = nullptr;
  float base_score_ = 0.0f;
};

// Row-major features of the given rows: each alpha's prediction, then the blend.
std::vector<float> features(const std::vector<std::vector<float>>& columns,
                            const std::vector<float>& blend, const std::vector<std::size_t>& rows) {
  const std::size_t width = columns.size() + 1;
  std::vector<float> matrix(rows.size() * width);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t a = 0; a < columns.size(); ++a) matrix[r * width + a] = columns[a][rows[r]];
    matrix[r * width + columns.size()] = blend[rows[r]];
  }
  return matrix;
}

std::vector<float> pick(const std::vector<float>& values, const std::vector<std::size_t>& rows) {
  std::vector<float> picked(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) picked[r] = values[rows[r]];
  return picked;
}

std::vector<float> residual_labels(const std::vector<float>& truth, const std::vector<float>& blend,
                                   const std::vector<std::size_t>& rows) {
  std::vector<float> labels(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) labels[r] = truth[rows[r]] - blend[rows[r]];
  return labels;
}

// Returns clamp(blend + correction).
std::vector<float> corrected(const std::vector<float>& blend, const std::vector<float>& correction,
                             const RatingScale& scale) {
  std::vector<float> values(blend.size());
  for (std::size_t r = 0; r < blend.size(); ++r) values[r] = blend[r] + correction[r];
  return clamp_to_scale(std::move(values), scale);
}

void configure(Booster& booster, const StackerSettings& settings, int threads) {
  booster.set("booster", "gbtree");
  booster.set("objective", "reg:squarederror");
  booster.set("tree_method", "hist");
  booster.set("eval_metric", "rmse");
  booster.set("base_score", "0");  // the label is a residual, centred near 0
  booster.set("eta", std::to_string(settings.learning_rate));
  booster.set("max_depth", std::to_string(settings.max_depth));
  booster.set("min_child_weight", std::to_string(settings.min_child_weight));
  booster.set("subsample", std::to_string(settings.subsample));
  booster.set("colsample_bytree", std::to_string(settings.colsample));
  booster.set("lambda", std::to_string(settings.lambda));
  booster.set("seed", std::to_string(settings.seed));
  booster.set("nthread", std::to_string(threads));
  booster.set("verbosity", "0");
}

// The seeded split of validation into the rows that train the trees and
// the holdout rows that choose how many trees to keep.
struct ValidationSplit {
  std::vector<std::size_t> train;
  std::vector<std::size_t> holdout;
};

ValidationSplit split_validation(std::size_t n, const StackerSettings& settings) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(settings.seed);
  std::shuffle(order.begin(), order.end(), generator);
  const std::size_t n_holdout =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::llround(settings.holdout * n)), 1, n - 1);
  return {std::vector<std::size_t>(order.begin(), order.end() - n_holdout),
          std::vector<std::size_t>(order.end() - n_holdout, order.end())};
}

double root_mean_square(const std::vector<double>& values) {
  double sum = 0;
  for (double value : values) sum += value * value;
  return std::sqrt(sum / double(values.size()));
}

// Boosts one round at a time and returns the number of trees whose sum has
// the lowest holdout RMSE against the residual labels. Zero trees (the
// blend alone, RMSE of the labels themselves) is a candidate too, and a
// later count must be strictly lower to replace it. Training stops
// `early_stopping_rounds` rounds after the best count. Records the holdout
// RMSE after each round in `result`.
int boost_until_holdout_stops_improving(Booster& booster, const Matrix& training,
                                        const Matrix& holdout,
                                        const std::vector<float>& holdout_labels,
                                        const StackerSettings& settings, StackerResult& result) {
  // residual[r] = label - (sum of the trees so far), updated one tree at a time.
  std::vector<double> residual(holdout_labels.begin(), holdout_labels.end());
  int best_trees = 0;
  double best_rmse = root_mean_square(residual);
  for (int round = 0; round < settings.max_rounds; ++round) {
    booster.update(round, training);
    const std::vector<float> tree = booster.tree_sum(holdout, residual.size(), round, round + 1);
    for (std::size_t r = 0; r < residual.size(); ++r) residual[r] -= tree[r];
    const double rmse = root_mean_square(residual);
    result.holdout_rmse.push_back(rmse);
    result.rounds_tried = round + 1;
    if (rmse < best_rmse) {
      best_trees = round + 1;
      best_rmse = rmse;
    } else if (round + 1 - best_trees >= settings.early_stopping_rounds) {
      break;
    }
  }
  return best_trees;
}

// Returns clamp(blend + the sum of the first `trees` trees) for each row.
std::vector<float> blend_plus_trees(const Booster& booster, const Matrix& features,
                                    const std::vector<float>& blend, int trees,
                                    const RatingScale& scale) {
  return corrected(blend, booster.tree_sum(features, blend.size(), 0, trees), scale);
}

}  // namespace

StackerResult fit_stacker(const BlendData& data, const std::vector<float>& validation_blend,
                          const std::vector<float>& test_blend, const StackerSettings& settings,
                          int threads) {
  StackerResult result;
  result.settings = settings;
  const std::size_t n = data.validation_truth.size();
  if (n < kMinStackerRows) {
    result.skipped_reason = "validation has " + std::to_string(n) +
                            (n == 1 ? " rating" : " ratings") + "; the stacker needs at least " +
                            std::to_string(kMinStackerRows);
    return result;
  }

  const ValidationSplit rows = split_validation(n, settings);
  result.n_train = rows.train.size();
  result.n_holdout = rows.holdout.size();
  const std::size_t width = data.alphas.size() + 1;

  Matrix training(features(data.validation, validation_blend, rows.train), rows.train.size(), width);
  training.set_labels(residual_labels(data.validation_truth, validation_blend, rows.train));
  Matrix holdout(features(data.validation, validation_blend, rows.holdout), rows.holdout.size(), width);
  const std::vector<float> holdout_labels =
      residual_labels(data.validation_truth, validation_blend, rows.holdout);

  Booster booster(training);
  configure(booster, settings, threads);
  result.rounds = boost_until_holdout_stops_improving(booster, training, holdout, holdout_labels,
                                                      settings, result);

  const std::vector<float> holdout_blend = pick(validation_blend, rows.holdout);
  const std::vector<float> holdout_truth = pick(data.validation_truth, rows.holdout);
  result.holdout_blend = split_metrics(holdout_blend, holdout_truth);
  result.holdout_stacker = split_metrics(
      blend_plus_trees(booster, holdout, holdout_blend, result.rounds, data.scale), holdout_truth);
  // The loop compared unclamped sums in double. These metrics use blend +
  // trees rounded to float and clamped, and clamping can only lower the
  // error. So this check catches only a tie from rounding. It keeps the
  // trees only when the reported holdout RMSE is strictly lower.
  if (result.holdout_stacker.metrics.rmse >= result.holdout_blend.metrics.rmse) {
    result.rounds = 0;
    result.holdout_stacker = result.holdout_blend;
  }

  std::vector<std::size_t> test_rows(data.test_truth.size());
  std::iota(test_rows.begin(), test_rows.end(), 0);
  if (!test_rows.empty()) {
    Matrix test(features(data.test, test_blend, test_rows), test_rows.size(), width);
    result.test_prediction = blend_plus_trees(booster, test, test_blend, result.rounds, data.scale);
  }
  result.test_stacker = split_metrics(result.test_prediction, data.test_truth);
  result.trained = true;
  return result;
}

}  // namespace alphas
