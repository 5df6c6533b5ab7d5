// The UserItemBiases model: r_hat(i, j) = u_i + a_j.
//
// Loss, with Omega_i the items user i rated in training:
//   L(u, a) = sum_{(i,j)} (r_ij - u_i - a_j)^2
//             + lambda_u sum_i (u_i - u_mean)^2 + lambda_a sum_j (a_j - a_mean)^2
// where u_mean and a_mean are the means over users and items seen in
// training. Setting dL/du_i = 0 (the derivative of u_mean cancels because
// sum_i (u_i - u_mean) = 0) gives the closed-form alternating updates
//   u_i = (sum_{j in Omega_i} (r_ij - a_j) + u_mean * lambda_u) / (|Omega_i| + lambda_u)
//   a_j = (sum_{i rated j}   (r_ij - u_i) + a_mean * lambda_a) / (|Omega^j| + lambda_a)
// repeated until the largest change of any bias is below the tolerance.
// The loss is invariant to u + c, a - c; so are all predictions.
#pragma once

#include <cstdint>
#include <vector>

#include <spdlog/spdlog.h>

#include "alphas/ratings.hpp"
#include "alphas/sparse.hpp"

namespace alphas::biases {

struct BiasModel {
  std::vector<double> user;  // u_i; users without training ratings hold u_mean
  std::vector<double> item;  // a_j; items without training ratings hold a_mean
  double user_mean = 0;
  double item_mean = 0;
  int iterations = 0;
  bool converged = false;
};

struct FitOptions {
  double lambda_u = 1.0;
  double lambda_a = 1.0;
  double tolerance = 1e-9;
  int max_iterations = 10000;
};

// Fits the biases on ratings grouped both ways (rows = users and rows =
// items of the same table). Starts from zero biases; each sweep updates all
// users in parallel, then all items, so the result does not depend on the
// thread count.
BiasModel fit(const CsrMatrix& by_user, const CsrMatrix& by_item, const FitOptions& options);

// Bounds of the lambda search.
constexpr double kLambdaLower = 1e-4;
constexpr double kLambdaUpper = 1e4;

// Searches lambda_u and lambda_a (log space, starting from options, within
// [kLambdaLower, kLambdaUpper]) for the lowest MSE on `validation`; returns
// options with the best lambdas.
FitOptions tune(const CsrMatrix& by_user, const CsrMatrix& by_item, const Ratings& validation,
                FitOptions options, int max_evaluations, double* best_mse = nullptr,
                spdlog::logger* log = nullptr);

// u_i + a_j. An unseen user takes u_mean and an unseen item a_mean, which
// fit() already stored in their slots.
std::vector<float> predict(const BiasModel& model, const std::vector<int32_t>& users,
                           const std::vector<int32_t>& items);

}  // namespace alphas::biases
