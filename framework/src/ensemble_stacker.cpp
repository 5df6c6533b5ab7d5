// The stacker: XGBoost trees on the residual of the linear blend, through
// the XGBoost C API (xgboost/c_api.h, version 1.7).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include <xgboost/c_api.h>

#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"
#include "alphas/log.hpp"

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
  }
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

 private:
  BoosterHandle handle_ = nullptr;
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

  // Seeded split of validation: a shuffled order, the first part trains.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 generator(settings.seed);
  std::shuffle(order.begin(), order.end(), generator);
  const std::size_t n_holdout =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::llround(settings.holdout * n)), 1, n - 1);
  const std::vector<std::size_t> train_rows(order.begin(), order.end() - n_holdout);
  const std::vector<std::size_t> holdout_rows(order.end() - n_holdout, order.end());
  result.n_train = train_rows.size();
  result.n_holdout = holdout_rows.size();
  const std::size_t width = data.alphas.size() + 1;

  Matrix training(features(data.validation, validation_blend, train_rows), train_rows.size(), width);
  training.set_labels(residual_labels(data.validation_truth, validation_blend, train_rows));
  Matrix holdout(features(data.validation, validation_blend, holdout_rows), holdout_rows.size(), width);
  const std::vector<float> holdout_labels =
      residual_labels(data.validation_truth, validation_blend, holdout_rows);

  Booster booster(training);
  configure(booster, settings, threads);

  // Boost one round at a time; keep the round with the lowest holdout RMSE
  // and stop `early_stopping_rounds` rounds after it. With base_score 0 the
  // holdout prediction is the sum of the trees, so each round adds only the
  // new tree's output.
  std::vector<double> holdout_sum(holdout_rows.size(), 0.0);
  int best_round = -1;
  double best_rmse = 0;
  for (int round = 0; round < settings.max_rounds; ++round) {
    booster.update(round, training);
    const std::vector<float> tree = booster.predict(holdout, round, round + 1);
    double sse = 0;
    for (std::size_t r = 0; r < tree.size(); ++r) {
      holdout_sum[r] += tree[r];
      const double error = double(holdout_labels[r]) - holdout_sum[r];
      sse += error * error;
    }
    const double rmse = std::sqrt(sse / double(tree.size()));
    result.holdout_rmse.push_back(rmse);
    result.rounds_tried = round + 1;
    if (best_round < 0 || rmse < best_rmse) {
      best_round = round;
      best_rmse = rmse;
    } else if (round - best_round >= settings.early_stopping_rounds) {
      break;
    }
  }
  result.rounds = best_round + 1;

  const std::vector<float> holdout_blend = pick(validation_blend, holdout_rows);
  const std::vector<float> holdout_truth = pick(data.validation_truth, holdout_rows);
  result.holdout_blend = split_metrics(holdout_blend, holdout_truth);
  result.holdout_stacker = split_metrics(
      corrected(holdout_blend, booster.predict(holdout, 0, result.rounds), data.scale), holdout_truth);

  std::vector<std::size_t> test_rows(data.test_truth.size());
  std::iota(test_rows.begin(), test_rows.end(), 0);
  if (!test_rows.empty()) {
    Matrix test(features(data.test, test_blend, test_rows), test_rows.size(), width);
    result.test_prediction = corrected(test_blend, booster.predict(test, 0, result.rounds), data.scale);
  }
  result.test_stacker = split_metrics(result.test_prediction, data.test_truth);
  result.trained = true;
  return result;
}

}  // namespace alphas
