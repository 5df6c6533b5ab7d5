// Derivative-free hyperparameter search shared by every plugin that tunes
// regularization weights on validation.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

namespace alphas {

struct SearchDimension {
  std::string name;  // e.g. "lambda_u", for the log
  double initial;    // starting value, > 0
  double lower;      // bounds, > 0
  double upper;
};

struct SearchResult {
  std::vector<double> values;  // best point found, in the original scale
  double objective = 0;        // objective at that point
  int evaluations = 0;
};

// The default of `tolerance` below: a step that changes log(value) by less
// than 1e-3 (a factor of about 1.001) ends the search.
constexpr double kDefaultSearchTolerance = 1e-3;

// Minimizes objective(values) over positive parameters. The search runs in
// log space (x = log(value)) with NLopt's derivative-free BOBYQA, so a weight
// moves by factors rather than by increments. Stops after `max_evaluations`
// or when a step changes log(value) by less than `tolerance`. Each evaluation
// is logged at debug level with the parameter names, to the host logger.
SearchResult minimize_log_space(const std::vector<SearchDimension>& dimensions,
                                const std::function<double(const std::vector<double>&)>& objective,
                                int max_evaluations = 60,
                                double tolerance = kDefaultSearchTolerance);

// The same, logging to `log`: an alpha passes its own logger so that the
// search lines reach its log file.
SearchResult minimize_log_space(const std::vector<SearchDimension>& dimensions,
                                const std::function<double(const std::vector<double>&)>& objective,
                                int max_evaluations, double tolerance, spdlog::logger& log);

}  // namespace alphas
