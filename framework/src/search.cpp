// Hyperparameter search in log space with NLopt's BOBYQA.
#include "alphas/search.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <string>

#include <nlopt.hpp>

#include "alphas/error.hpp"
#include "alphas/log.hpp"

namespace alphas {
namespace {

// The first step moves each free parameter by up to this factor (in log
// space: log(4)), unless its bounds are closer than that.
const double kInitialStep = std::log(4.0);

std::string format_point(const std::vector<SearchDimension>& dimensions,
                         const std::vector<double>& values) {
  std::string text;
  for (std::size_t i = 0; i < dimensions.size(); ++i) {
    if (i > 0) text += ' ';
    text += fmt::format("{}={:.6g}", dimensions[i].name, values[i]);
  }
  return text;
}

void check_dimensions(const std::vector<SearchDimension>& dimensions) {
  for (const auto& dimension : dimensions) {
    const std::string where = "search parameter '" + dimension.name + "'";
    const bool finite = std::isfinite(dimension.initial) && std::isfinite(dimension.lower) &&
                        std::isfinite(dimension.upper);
    if (!finite || dimension.lower <= 0 || dimension.upper < dimension.lower) {
      throw InputError(fmt::format(
          "{} has invalid bounds [{}, {}]; the search runs in log space, so the bounds must be "
          "finite with 0 < lower <= upper.",
          where, dimension.lower, dimension.upper));
    }
    if (!(dimension.initial >= dimension.lower && dimension.initial <= dimension.upper)) {
      throw InputError(fmt::format("{} has initial value {} outside its bounds [{}, {}].", where,
                                   dimension.initial, dimension.lower, dimension.upper));
    }
  }
}

// Calls the objective at points of the free dimensions (in log space),
// counts evaluations, and keeps the best point seen, because NLopt may stop
// at a point worse than one it visited.
class Evaluator {
 public:
  Evaluator(const std::vector<SearchDimension>& dimensions,
            const std::function<double(const std::vector<double>&)>& objective,
            std::vector<std::size_t> free, spdlog::logger& log)
      : dimensions_(dimensions), objective_(objective), free_(std::move(free)), log_(log) {
    best_.values.resize(dimensions.size());
    for (std::size_t i = 0; i < dimensions.size(); ++i) best_.values[i] = dimensions[i].initial;
    best_.objective = std::numeric_limits<double>::infinity();
  }

  // The value handed to NLopt for the free coordinates `log_point`.
  double evaluate(const std::vector<double>& log_point) {
    std::vector<double> values(dimensions_.size());
    for (std::size_t i = 0; i < dimensions_.size(); ++i) values[i] = dimensions_[i].initial;
    for (std::size_t k = 0; k < free_.size(); ++k) {
      // exp(log(lower)) can round below `lower`; the caller sees the bounds.
      const auto& dimension = dimensions_[free_[k]];
      values[free_[k]] = std::clamp(std::exp(log_point[k]), dimension.lower, dimension.upper);
    }

    const double value = objective_(values);
    ++best_.evaluations;
    const std::string point = format_point(dimensions_, values);
    if (!std::isfinite(value)) {
      // The first one is a warning; the final summary line counts them all.
      const auto level = non_finite_ == 0 ? spdlog::level::warn : spdlog::level::debug;
      ++non_finite_;
      log_.log(level, "search evaluation {}: objective is {} at {}; counted as +infinity",
                     best_.evaluations, value, point);
      return penalty();
    }

    worst_finite_ = std::max(worst_finite_, value);
    if (value < best_.objective) {
      best_.objective = value;
      best_.values = values;
    }
    log_.debug("search evaluation {}: {} -> {:.8g} (best {:.8g})", best_.evaluations,
                     point, value, best_.objective);
    return value;
  }

  const SearchResult& best() const { return best_; }
  spdlog::logger& log() const { return log_; }
  int non_finite() const { return non_finite_; }

 private:
  // A finite stand-in for +infinity, above every finite value seen so far.
  // BOBYQA fits quadratic models to the values it receives, and an infinite
  // one would spoil the model, so NLopt gets this instead.
  double penalty() const {
    if (!std::isfinite(best_.objective)) return 1e30;
    return worst_finite_ + (worst_finite_ - best_.objective) + 1.0;
  }

  const std::vector<SearchDimension>& dimensions_;
  const std::function<double(const std::vector<double>&)>& objective_;
  std::vector<std::size_t> free_;
  SearchResult best_;
  double worst_finite_ = -std::numeric_limits<double>::infinity();
  int non_finite_ = 0;
  spdlog::logger& log_;
};

// State handed to the NLopt callback through its void* argument.
struct CallbackData {
  Evaluator* evaluator;
  nlopt::opt* optimizer;
  // The first exception thrown by the objective. NLopt's C++ interface
  // would replace it with its own nlopt::failure, so it is kept here and
  // rethrown after optimize() returns.
  std::exception_ptr error;
};

double callback(const std::vector<double>& log_point, std::vector<double>& /*gradient*/,
                void* data) {
  auto* state = static_cast<CallbackData*>(data);
  try {
    return state->evaluator->evaluate(log_point);
  } catch (...) {
    if (!state->error) state->error = std::current_exception();
    state->optimizer->force_stop();
    return HUGE_VAL;
  }
}

// Runs BOBYQA over the free dimensions, starting from the initial values.
void run_bobyqa(const std::vector<SearchDimension>& dimensions,
                const std::vector<std::size_t>& free, Evaluator& evaluator, int max_evaluations,
                double tolerance) {
  const std::size_t n = free.size();
  std::vector<double> lower(n), upper(n), start(n), step(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& dimension = dimensions[free[k]];
    lower[k] = std::log(dimension.lower);
    upper[k] = std::log(dimension.upper);
    start[k] = std::clamp(std::log(dimension.initial), lower[k], upper[k]);
    // BOBYQA requires 2 * step <= upper - lower.
    step[k] = std::min(kInitialStep, (upper[k] - lower[k]) / 2);
  }

  nlopt::opt optimizer(nlopt::LN_BOBYQA, static_cast<unsigned>(n));
  CallbackData data{&evaluator, &optimizer, nullptr};
  optimizer.set_lower_bounds(lower);
  optimizer.set_upper_bounds(upper);
  optimizer.set_initial_step(step);
  optimizer.set_xtol_abs(tolerance);
  optimizer.set_maxeval(max_evaluations);
  optimizer.set_min_objective(callback, &data);

  double final_value = 0;
  try {
    const nlopt::result result = optimizer.optimize(start, final_value);
    evaluator.log().debug("search: NLopt stopped with code {}", static_cast<int>(result));
  } catch (const nlopt::forced_stop&) {
    // Only the callback forces a stop, and it stored the reason.
  } catch (const nlopt::roundoff_limited&) {
    // Rounding errors ended the search early, so the best point seen is kept.
    evaluator.log().debug("search: NLopt stopped early, limited by rounding errors");
  } catch (const std::exception& error) {
    if (!data.error) {
      throw NumericError(std::string("hyperparameter search failed inside NLopt: ") +
                         error.what());
    }
  }
  if (data.error) std::rethrow_exception(data.error);
}

}  // namespace

SearchResult minimize_log_space(const std::vector<SearchDimension>& dimensions,
                                const std::function<double(const std::vector<double>&)>& objective,
                                int max_evaluations, double tolerance) {
  return minimize_log_space(dimensions, objective, max_evaluations, tolerance, host_log());
}

SearchResult minimize_log_space(const std::vector<SearchDimension>& dimensions,
                                const std::function<double(const std::vector<double>&)>& objective,
                                int max_evaluations, double tolerance, spdlog::logger& log) {
  check_dimensions(dimensions);
  if (max_evaluations < 1) {
    throw InputError("hyperparameter search needs at least 1 evaluation (max_evaluations = " +
                     std::to_string(max_evaluations) + ")");
  }
  if (!(tolerance > 0)) {
    throw InputError(fmt::format("hyperparameter search tolerance must be positive (got {})",
                                 tolerance));
  }

  // Dimensions with lower == upper are fixed: BOBYQA needs room to move.
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < dimensions.size(); ++i) {
    if (dimensions[i].lower < dimensions[i].upper) free.push_back(i);
  }

  Evaluator evaluator(dimensions, objective, free, log);
  if (free.empty()) {
    evaluator.evaluate({});
  } else {
    run_bobyqa(dimensions, free, evaluator, max_evaluations, tolerance);
  }

  const SearchResult& best = evaluator.best();
  if (!std::isfinite(best.objective)) {
    throw NumericError(fmt::format(
        "hyperparameter search found no point with a finite objective in {} evaluations, "
        "starting from {}. Check the bounds of the search or the training that the objective "
        "runs.",
        best.evaluations, format_point(dimensions, best.values)));
  }
  evaluator.log().info("search: best {} -> {:.8g} after {} evaluations{}",
                  format_point(dimensions, best.values), best.objective, best.evaluations,
                  evaluator.non_finite() > 0
                      ? fmt::format(" ({} not finite)", evaluator.non_finite())
                      : std::string());
  return best;
}

}  // namespace alphas
