#include "als.hpp"

#include <cmath>
#include <stdexcept>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

namespace alphas::mf {
namespace {

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The splitmix64 finalizer: a bijective mix of 64 bits, so distinct
// counters give independent-looking outputs.
uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A uniform draw in the open interval (0, 1) from 53 random bits.
double open_unit(uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
}

// A standard normal draw for one counter value (Box-Muller, cosine branch).
double gaussian_at(uint64_t key, uint64_t counter) {
  const double u1 = open_unit(mix64(key ^ mix64(2 * counter)));
  const double u2 = open_unit(mix64(key ^ mix64(2 * counter + 1)));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Per-chunk scratch space, so rows do not allocate.
struct RowWorkspace {
  std::vector<double> gathered;  // count × K, row-major
  Eigen::MatrixXd gram;
  Eigen::VectorXd rhs;
};

void solve_with_workspace(const FactorMatrix& fixed, const int32_t* cols, const float* values,
                          int64_t count, double lambda, RowWorkspace& work, float* out) {
  const int32_t k_factors = fixed.factors;
  if (count == 0) {
    std::fill(out, out + k_factors, 0.0f);
    return;
  }

  // Y_Ω: the rows of `fixed` for this row's columns, in double.
  work.gathered.resize(static_cast<std::size_t>(count) * k_factors);
  for (int64_t n = 0; n < count; ++n) {
    const float* source = fixed.row(cols[n]);
    std::copy(source, source + k_factors, work.gathered.data() + n * k_factors);
  }
  Eigen::Map<const RowMajorMatrix> gathered(work.gathered.data(), count, k_factors);
  Eigen::Map<const Eigen::VectorXf> ratings_f(values, count);
  const Eigen::VectorXd ratings = ratings_f.cast<double>();

  Eigen::VectorXd solution;
  bool solved = false;
  if (lambda > 0) {
    // (Y_Ωᵀ Y_Ω + λ I) x = Y_Ωᵀ r, symmetric positive definite for λ > 0.
    work.gram.setZero(k_factors, k_factors);
    work.gram.selfadjointView<Eigen::Lower>().rankUpdate(gathered.transpose());
    work.gram.diagonal().array() += lambda;
    work.rhs.noalias() = gathered.transpose() * ratings;
    Eigen::LLT<Eigen::MatrixXd> cholesky(work.gram);
    if (cholesky.info() == Eigen::Success) {
      solution = cholesky.solve(work.rhs);
      solved = solution.allFinite();
    }
    if (!solved) {
      // Cholesky lost positive definiteness to rounding: solve the full
      // symmetric system by a rank-revealing decomposition instead.
      Eigen::MatrixXd full = work.gram.selfadjointView<Eigen::Lower>();
      solution = full.completeOrthogonalDecomposition().solve(work.rhs);
      solved = true;
    }
  }
  if (!solved) {
    // λ = 0: the least-norm minimizer of |Y_Ω x − r|², which exists even
    // when Y_Ω has fewer rows than columns.
    const Eigen::MatrixXd dense = gathered;
    solution = dense.completeOrthogonalDecomposition().solve(ratings);
  }

  for (int32_t k = 0; k < k_factors; ++k) out[k] = static_cast<float>(solution[k]);
}

}  // namespace

FactorMatrix::FactorMatrix(int32_t rows_, int32_t factors_)
    : rows(rows_), factors(factors_),
      values(static_cast<std::size_t>(rows_) * static_cast<std::size_t>(factors_), 0.0f) {}

void initialize_gaussian(FactorMatrix& matrix, uint64_t seed, uint64_t stream) {
  const double scale = std::pow(static_cast<double>(matrix.factors), -0.25);
  const uint64_t key = mix64(seed ^ mix64(stream + 0x51ED2701ULL));
  tbb::parallel_for(tbb::blocked_range<int32_t>(0, matrix.rows, 1024),
                    [&](const tbb::blocked_range<int32_t>& range) {
                      for (int32_t r = range.begin(); r != range.end(); ++r) {
                        float* row = matrix.row(r);
                        for (int32_t k = 0; k < matrix.factors; ++k) {
                          const uint64_t counter =
                              static_cast<uint64_t>(r) * matrix.factors + k;
                          row[k] = static_cast<float>(scale * gaussian_at(key, counter));
                        }
                      }
                    });
}

void solve_ridge_row(const FactorMatrix& fixed, const int32_t* cols, const float* values,
                     int64_t count, double lambda, float* out) {
  RowWorkspace work;
  solve_with_workspace(fixed, cols, values, count, lambda, work, out);
}

void solve_all_rows(const CsrMatrix& ratings, const FactorMatrix& fixed, double lambda,
                    FactorMatrix& solved) {
  if (ratings.n_rows != solved.rows || ratings.n_cols != fixed.rows ||
      solved.factors != fixed.factors) {
    throw std::invalid_argument("solve_all_rows: ratings " + std::to_string(ratings.n_rows) +
                                " x " + std::to_string(ratings.n_cols) +
                                " do not match factor matrices of " +
                                std::to_string(solved.rows) + " and " +
                                std::to_string(fixed.rows) + " rows");
  }
  tbb::parallel_for(tbb::blocked_range<int32_t>(0, ratings.n_rows, 64),
                    [&](const tbb::blocked_range<int32_t>& range) {
                      RowWorkspace work;
                      for (int32_t r = range.begin(); r != range.end(); ++r) {
                        const int64_t begin = ratings.offsets[r];
                        solve_with_workspace(fixed, ratings.cols.data() + begin,
                                             ratings.values.data() + begin,
                                             ratings.row_size(r), lambda, work, solved.row(r));
                      }
                    });
}

double dot_rows(const FactorMatrix& users, int32_t u, const FactorMatrix& items, int32_t i) {
  const float* p = users.row(u);
  const float* q = items.row(i);
  double sum = 0;
  for (int32_t k = 0; k < users.factors; ++k) sum += static_cast<double>(p[k]) * q[k];
  return sum;
}

namespace {

double squared_norm_sum(const FactorMatrix& matrix) {
  double sum = 0;
  for (float v : matrix.values) sum += static_cast<double>(v) * v;
  return sum;
}

}  // namespace

double training_objective(const CsrMatrix& by_user, const FactorMatrix& users,
                          const FactorMatrix& items, double lambda_user, double lambda_item) {
  // parallel_deterministic_reduce with a fixed grain splits the range the
  // same way for any thread count, so the floating-point sum is reproducible.
  const double squared_error = tbb::parallel_deterministic_reduce(
      tbb::blocked_range<int32_t>(0, by_user.n_rows, 256), 0.0,
      [&](const tbb::blocked_range<int32_t>& range, double sum) {
        for (int32_t u = range.begin(); u != range.end(); ++u) {
          for (int64_t n = by_user.offsets[u]; n < by_user.offsets[u + 1]; ++n) {
            const double error = by_user.values[n] - dot_rows(users, u, items, by_user.cols[n]);
            sum += error * error;
          }
        }
        return sum;
      },
      [](double a, double b) { return a + b; });
  return squared_error + lambda_user * squared_norm_sum(users) +
         lambda_item * squared_norm_sum(items);
}

}  // namespace alphas::mf
