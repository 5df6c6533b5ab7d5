#include "alphas/residuals.hpp"

#include <Eigen/Dense>

#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"

namespace alphas {

PredictionStore::PredictionStore(DataDir dir, const Dataset& dataset)
    : dir_(std::move(dir)), dataset_(dataset) {}

std::vector<float> PredictionStore::predictions(const std::string& alpha, Split split) const {
  const auto file = dir_.predictions_file(alpha);
  if (!std::filesystem::exists(file)) {
    throw Error("alpha '" + alpha + "' has no stored predictions (" + file.string() +
                "); run 'alphas run " + alpha + "' first");
  }
  H5File h5(file, H5File::Mode::read);
  if (!h5.has(split_name(split))) {
    throw Error("alpha '" + alpha + "' stores no " + split_name(split) + " predictions in " +
                file.string() + "; an implicit alpha cannot be a residual input");
  }
  std::vector<float> values = h5.read_floats(split_name(split));
  const std::size_t expected = dataset_.split(split).size();
  if (values.size() != expected) {
    throw Error("alpha '" + alpha + "' has " + std::to_string(values.size()) + " " +
                split_name(split) + " predictions but the dataset has " +
                std::to_string(expected) + " rows; it was run on another import: rerun it");
  }
  return values;
}

std::vector<double> least_squares(const std::vector<std::vector<float>>& columns,
                                  const std::vector<float>& y) {
  const std::size_t k = columns.size();
  // Normal equations in double: (X^T X) beta = X^T y. X has few columns (one
  // per alpha), so the k x k system is tiny even for millions of rows.
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(k, k);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(k);
  for (std::size_t a = 0; a < k; ++a) {
    if (columns[a].size() != y.size()) {
      throw Error("least squares: column " + std::to_string(a) + " has " +
                  std::to_string(columns[a].size()) + " rows, the target " +
                  std::to_string(y.size()));
    }
  }
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a; b < k; ++b) {
      double sum = 0;
      for (std::size_t r = 0; r < y.size(); ++r) sum += double(columns[a][r]) * columns[b][r];
      gram(a, b) = gram(b, a) = sum;
    }
    double sum = 0;
    for (std::size_t r = 0; r < y.size(); ++r) sum += double(columns[a][r]) * y[r];
    rhs(a) = sum;
  }
  // A complete orthogonal decomposition gives the minimum-norm solution
  // when alphas are collinear (e.g. one is a copy of another), not NaN.
  Eigen::VectorXd beta = gram.completeOrthogonalDecomposition().solve(rhs);
  return std::vector<double>(beta.data(), beta.data() + beta.size());
}

std::vector<double> PredictionStore::beta(const std::vector<std::string>& alphas) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto cached = beta_cache_.find(alphas);
    if (cached != beta_cache_.end()) return cached->second;
  }
  std::vector<std::vector<float>> columns;
  columns.reserve(alphas.size());
  for (const auto& alpha : alphas) columns.push_back(predictions(alpha, Split::validation));
  std::vector<double> beta = least_squares(columns, dataset_.validation.rating);
  std::lock_guard<std::mutex> lock(mutex_);
  beta_cache_[alphas] = beta;
  return beta;
}

Ratings PredictionStore::residuals(Split split, const std::vector<std::string>& alphas) {
  if (split == Split::implicit_training) {
    throw Error("residuals are defined for training, validation and test, not implicit_training");
  }
  Ratings result = dataset_.split(split);
  if (alphas.empty()) return result;
  const std::vector<double> weights = beta(alphas);
  std::vector<double> fitted(result.size(), 0.0);
  for (std::size_t a = 0; a < alphas.size(); ++a) {
    const std::vector<float> p = predictions(alphas[a], split);
    for (std::size_t r = 0; r < p.size(); ++r) fitted[r] += weights[a] * p[r];
  }
  for (std::size_t r = 0; r < fitted.size(); ++r) {
    result.rating[r] = static_cast<float>(result.rating[r] - fitted[r]);
  }
  return result;
}

}  // namespace alphas
