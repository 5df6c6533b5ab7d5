// The ensemble: a linear blend of alphas fitted on validation, the table of
// alphas joining the blend one at a time, and a gradient-boosted stacker on
// what the blend leaves over.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alphas/data_dir.hpp"
#include "alphas/dataset.hpp"
#include "alphas/metrics.hpp"
#include "alphas/recipe.hpp"

namespace alphas {

class PredictionStore;

// The predictions an ensemble reads: one column per alpha for validation
// and test, aligned with the rows of the dataset's splits.
struct BlendData {
  std::vector<std::string> alphas;
  std::vector<std::vector<float>> validation;  // validation[a][row]
  std::vector<std::vector<float>> test;        // test[a][row]
  std::vector<float> validation_truth;         // ratings
  std::vector<float> test_truth;
  RatingScale scale;
};

// Error metrics of one prediction column; all NaN when n is 0.
struct SplitMetrics {
  Metrics metrics;
  std::size_t n = 0;
};

// The blend of the first `k` alphas: beta and metrics of the clamped blend.
struct BlendStep {
  std::string alpha;  // the alpha that joined at this step
  std::vector<double> beta;
  SplitMetrics validation;
  SplitMetrics test;
};

struct StackerResult {
  bool trained = false;
  std::string skipped_reason;  // why not trained, when !trained
  StackerSettings settings;
  // Trees kept: the count with the lowest holdout RMSE. It is 0 when no
  // count of trees beat the blend alone on the holdout. Then the stacker
  // adds exactly 0, so its predictions and metrics are the blend's.
  int rounds = 0;
  int rounds_tried = 0;  // rounds trained before early stopping
  std::size_t n_train = 0;
  std::size_t n_holdout = 0;
  std::vector<double> holdout_rmse;  // holdout RMSE of the residual model after each round
  SplitMetrics holdout_blend;        // the blend alone on the holdout rows
  SplitMetrics holdout_stacker;      // blend + kept trees on the holdout rows
  SplitMetrics test_stacker;         // blend + kept trees on test
  std::vector<float> test_prediction;
};

struct EnsembleResult {
  std::string name;
  std::vector<std::string> alphas;
  RatingScale scale;
  std::vector<double> beta;  // final blend, one weight per alpha
  SplitMetrics validation;   // of the clamped final blend
  SplitMetrics test;
  std::vector<BlendStep> steps;  // steps[k]: the first k + 1 alphas
  std::vector<float> validation_prediction;
  std::vector<float> test_prediction;
  StackerResult stacker;
};

// Reads validation and test predictions of `alphas` from the store.
// NOTE: members are alphas of the recipe, so an extra output such as
// GNN.1.Implicit (list probabilities) cannot join a blend yet.
BlendData load_blend_data(const std::vector<std::string>& alphas, PredictionStore& store);

// Returns min(max(x, scale.min), scale.max) for each x.
std::vector<float> clamp_to_scale(std::vector<float> values, const RatingScale& scale);

// Returns sum_j beta_j * columns[j][row] for each row, clamped to the scale.
std::vector<float> blend_predictions(const std::vector<std::vector<float>>& columns,
                                     const std::vector<double>& beta, const RatingScale& scale);

// RMSE, MAE and R^2 of `prediction` against `truth` (no scaling).
SplitMetrics split_metrics(const std::vector<float>& prediction, const std::vector<float>& truth);

// Fits the blend and its per-step table, then the stacker when enabled.
EnsembleResult fit_ensemble(const std::string& name, const BlendData& data,
                            const StackerSettings& stacker, int threads);

// Gradient-boosted trees (XGBoost, squared error) on the residual of the
// blend. Features per rating: the alphas' predictions and the blend. Trains
// on a seeded (1 - holdout) share of validation, keeps the number of trees
// with the lowest RMSE on the rest (zero trees when none beats the blend),
// and predicts test as clamp(blend + kept trees).
StackerResult fit_stacker(const BlendData& data, const std::vector<float>& validation_blend,
                          const std::vector<float>& test_blend, const StackerSettings& settings,
                          int threads);

// The content of ensemble.json: alphas, beta, steps, metrics of blend and
// stacker, and `provenance`. Non-finite metrics are null.
nlohmann::json ensemble_to_json(const EnsembleResult& result, const nlohmann::json& provenance);

// Human-readable forms of ensemble.json: the table of alphas joining the
// blend with metrics, as plain text and as a Markdown report, and an SVG
// plot of validation and test RMSE against the number of alphas.
std::string ensemble_text(const nlohmann::json& ensemble);
std::string ensemble_markdown(const nlohmann::json& ensemble);
std::string ensemble_svg(const nlohmann::json& ensemble);

// Formats ensemble.json's "stacker" object as one line. The line gives why
// the stacker was not trained, or the trees kept with the RMSE of blend and
// blend + trees. When no tree improved the holdout, the line states that.
std::string stacker_summary(const nlohmann::json& stacker);

// Paths of an ensemble's outputs.
std::filesystem::path ensemble_json_file(const DataDir& dir, const std::string& name);
std::filesystem::path ensemble_report_file(const DataDir& dir, const std::string& name);
std::filesystem::path ensemble_plot_file(const DataDir& dir, const std::string& name);

// Writes alphas/<name>/ (ensemble.json and predictions.h5 with the blend's
// validation and test predictions and the stacker's test predictions) as
// one folder that appears atomically, then reports/<name>.md and
// reports/<name>.svg, each atomically.
void write_ensemble(const DataDir& dir, const EnsembleResult& result,
                    const nlohmann::json& provenance);

// Reads ensemble.json; throws Error naming the file when it is missing or
// not valid JSON.
nlohmann::json read_ensemble_json(const DataDir& dir, const std::string& name);

}  // namespace alphas
