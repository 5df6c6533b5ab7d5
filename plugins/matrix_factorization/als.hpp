// Alternating least squares for the MatrixFactorization alpha: the factor
// storage, the seeded initialization and one ridge solve per row.
//
// The model is R̂ = U Aᵀ with U (n_users × K) and A (n_items × K), fitted to
// minimize
//   L(U, A) = Σ_{(u,i)∈Ω} (r_ui − U_u · A_i)² + λu Σ_u |U_u|² + λa Σ_i |A_i|².
// With A fixed, L separates into one ridge regression per user:
//   (A_Ωuᵀ A_Ωu + λu I) U_u = A_Ωuᵀ r_u,
// where A_Ωu contains the rows of A for the items u rated. Items are solved
// the same way with U fixed.
#pragma once

#include <cstdint>
#include <vector>

#include "alphas/sparse.hpp"

namespace alphas::mf {

// A dense row-major matrix of factors, float32 to halve the memory of the
// largest arrays (1.3 million users × 40 factors is 211 MB).
struct FactorMatrix {
  int32_t rows = 0;
  int32_t factors = 0;
  std::vector<float> values;  // rows × factors, row-major

  FactorMatrix() = default;
  FactorMatrix(int32_t rows, int32_t factors);

  float* row(int32_t r) { return values.data() + static_cast<int64_t>(r) * factors; }
  const float* row(int32_t r) const {
    return values.data() + static_cast<int64_t>(r) * factors;
  }
};

// Fills `matrix` with independent N(0, 1) draws scaled by K^(-1/4), so that
// a product U_u · A_i of two such rows has variance 1. Entry (r, k) depends
// only on (seed, stream, r, k), never on the thread count.
void initialize_gaussian(FactorMatrix& matrix, uint64_t seed, uint64_t stream);

// Solves one row: x = argmin Σ_n (values[n] − Y_{cols[n]} · x)² + λ |x|².
// With λ > 0 it solves (Y_Ωᵀ Y_Ω + λ I) x = Y_Ωᵀ r by Cholesky (LLT). With
// λ = 0, or when Cholesky fails numerically, it returns the least-norm
// least-squares solution from a complete orthogonal decomposition. A
// singular system (more factors than ratings) thus still gives finite numbers.
// A row without entries gets x = 0.
void solve_ridge_row(const FactorMatrix& fixed, const int32_t* cols, const float* values,
                     int64_t count, double lambda, float* out);

// Replaces every row r of `solved` by solve_ridge_row over the entries of
// row r of `ratings` (whose columns index rows of `fixed`). Rows run in
// parallel with TBB, and each row's result is independent of the thread count.
void solve_all_rows(const CsrMatrix& ratings, const FactorMatrix& fixed, double lambda,
                    FactorMatrix& solved);

// Returns U_u · A_i accumulated in double.
double dot_rows(const FactorMatrix& users, int32_t u, const FactorMatrix& items, int32_t i);

// The objective L(U, A) above over the entries of `by_user`. The sum is
// taken in a fixed order, so it is identical for any thread count.
double training_objective(const CsrMatrix& by_user, const FactorMatrix& users,
                          const FactorMatrix& items, double lambda_user, double lambda_item);

}  // namespace alphas::mf
