#include "trainer.hpp"

#include <chrono>
#include <cmath>

#include <torch/torch.h>

#include "alphas/error.hpp"
#include "counter_rng.hpp"
#include "optimizer.hpp"

namespace alphas::autoencoder {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The validation pairs every evaluation uses: all of them when they fit in
// validation_eval_batches batches, else a fixed draw (with replacement).
std::vector<Sample> choose_validation_samples(const TrainingData& data, const Settings& settings,
                                              uint64_t seed) {
  const Ratings& v = data.validation;
  const int64_t n = static_cast<int64_t>(v.size());
  const int64_t budget = settings.validation_eval_batches * settings.batch_size;
  std::vector<Sample> samples;
  if (n <= budget) {
    for (int64_t k = 0; k < n; ++k) samples.push_back({v.user[k], v.item[k], v.rating[k]});
    return samples;
  }
  const CounterRng rng(seed, Stream::validation_subset);
  for (int64_t k = 0; k < budget; ++k) {
    const int64_t row = static_cast<int64_t>(rng.below(static_cast<uint64_t>(k), static_cast<uint64_t>(n)));
    samples.push_back({v.user[row], v.item[row], v.rating[row]});
  }
  return samples;
}

}  // namespace

Trainer::Trainer(const TrainingData& data, const Settings& settings,
                 const Architecture& architecture, uint64_t seed, spdlog::logger& log,
                 CheckpointFiles checkpoints)
    : data_(data),
      settings_(settings),
      architecture_(architecture),
      seed_(seed),
      log_(log),
      checkpoints_(std::move(checkpoints)),
      builder_(data),
      validation_samples_(choose_validation_samples(data, settings, seed)) {
  if (data.training.empty()) {
    throw InputError("autoencoder: the training split is empty; import a dataset with ratings");
  }
}

std::vector<Sample> Trainer::training_samples(int64_t step) const {
  const CounterRng rng(seed_, Stream::training_sample, static_cast<uint64_t>(step));
  const uint64_t n = data_.training.size();
  std::vector<Sample> samples(static_cast<std::size_t>(settings_.batch_size));
  for (int64_t k = 0; k < settings_.batch_size; ++k) {
    const uint64_t row = rng.below(static_cast<uint64_t>(k), n);
    samples[k] = {data_.training.user[row], data_.training.item[row], 0.0f};
  }
  return samples;
}

LossWeights Trainer::training_weights() const {
  LossWeights weights;
  weights.rating = 1.0 / data_.training_baseline;
  if (architecture_.implicit_head) {
    weights.implicit = settings_.implicit_weight / std::log(static_cast<double>(data_.n_items));
  }
  return weights;
}

double Trainer::batch_loss(Network& network, const SparseBatch& batch, const LossWeights& weights,
                           Gradients* gradients) const {
  const LossValue loss = settings_.formulation == Formulation::sparse
                             ? sparse_loss(network, batch, weights, gradients)
                             : dense_loss(network, batch, weights, std::nullopt, gradients);
  return loss.total;
}

Evaluation Trainer::evaluate(Network& network, int64_t evaluation_index) const {
  Evaluation result;
  const LossWeights weights = training_weights();

  // Training loss: fresh batches from the training split each evaluation.
  if (settings_.training_eval_batches > 0) {
    const CounterRng rng(seed_, Stream::training_evaluation, static_cast<uint64_t>(evaluation_index));
    const uint64_t n = data_.training.size();
    double sum = 0;
    for (int64_t e = 0; e < settings_.training_eval_batches; ++e) {
      std::vector<Sample> samples(static_cast<std::size_t>(settings_.batch_size));
      for (int64_t k = 0; k < settings_.batch_size; ++k) {
        const uint64_t row = rng.below(static_cast<uint64_t>(e * settings_.batch_size + k), n);
        samples[k] = {data_.training.user[row], data_.training.item[row], 0.0f};
      }
      sum += batch_loss(network, builder_.build(samples, Outputs::reconstruction), weights, nullptr);
    }
    result.training = sum / static_cast<double>(settings_.training_eval_batches);
  }

  // Validation loss: the held-out pair's target only, weighted by pairs.
  double squared_error = 0, cross_entropy = 0;
  int64_t n_outputs = 0, n_implicit = 0;
  for (std::size_t begin = 0; begin < validation_samples_.size();
       begin += static_cast<std::size_t>(settings_.batch_size)) {
    const std::size_t end = std::min(validation_samples_.size(),
                                     begin + static_cast<std::size_t>(settings_.batch_size));
    std::vector<Sample> samples(validation_samples_.begin() + begin, validation_samples_.begin() + end);
    const SparseBatch batch = builder_.build(samples, Outputs::held_out);
    const LossValue loss = settings_.formulation == Formulation::sparse
                               ? sparse_loss(network, batch, weights, nullptr)
                               : dense_loss(network, batch, weights, std::nullopt, nullptr);
    squared_error += loss.rating * static_cast<double>(batch.output_count());
    n_outputs += batch.output_count();
    cross_entropy += loss.implicit * static_cast<double>(batch.size);
    n_implicit += batch.size;
  }
  result.validation_rating =
      (n_outputs > 0 ? squared_error / static_cast<double>(n_outputs) : 0.0) / data_.validation_baseline;
  if (architecture_.implicit_head && n_implicit > 0) {
    result.validation_implicit = weights.implicit * cross_entropy / static_cast<double>(n_implicit);
  }
  result.validation = result.validation_rating + result.validation_implicit;
  return result;
}

std::unique_ptr<Network> Trainer::train(std::optional<int64_t> interrupt_after_step) {
  const torch::Device device(settings_.device);
  auto network = std::make_unique<Network>(architecture_, seed_);
  network->to(device);
  auto best = std::make_unique<Network>(architecture_, seed_);
  best->to(device);
  Optimizer optimizer(*network, settings_.adam, settings_.optimizer);
  TrainingState state;

  summary_ = TrainingSummary{};
  if (settings_.resume && checkpoints_.enabled()) {
    std::string why;
    if (checkpoints_.load_checkpoint(*network, optimizer, state, why)) {
      checkpoints_.load_best(*best, state.stopping.best_evaluation);
      summary_.resumed = true;
      log_.info("resuming from the checkpoint of step {} ({} evaluations, {})", state.step,
                state.stopping.evaluations, stop_reason_name(state.stop_reason));
    } else {
      log_.info("training from scratch: {}", why);
    }
  }
  EarlyStopping stopping(settings_.early_stopping, state.stopping);
  const bool finished = state.stop_reason == StopReason::early_stopping ||
                        (state.stop_reason == StopReason::max_steps && state.step >= settings_.max_steps);
  if (!finished) state.stop_reason = StopReason::running;

  const LossWeights weights = training_weights();
  Gradients gradients;
  double training_seconds = 0;
  int64_t steps_this_run = 0;
  int64_t steps_since_log = 0;
  double seconds_since_log = 0;
  while (!finished && state.step < settings_.max_steps) {
    const auto start = Clock::now();
    std::optional<Dropout> dropout;
    if (settings_.dropout > 0) {
      dropout = Dropout{static_cast<float>(settings_.dropout),
                        CounterRng(seed_, Stream::dropout, static_cast<uint64_t>(state.step))};
    }
    const SparseBatch batch = builder_.build(training_samples(state.step), Outputs::reconstruction, dropout);
    const double loss = batch_loss(*network, batch, weights, &gradients);
    if (!std::isfinite(loss)) {
      throw NumericError("autoencoder: the training loss is " + std::to_string(loss) + " at step " +
                         std::to_string(state.step) + "; lower learning_rate or check the inputs");
    }
    optimizer.step(gradients);
    ++state.step;
    ++steps_this_run;
    const double step_seconds = seconds_since(start);
    training_seconds += step_seconds;
    seconds_since_log += step_seconds;
    ++steps_since_log;

    if (state.step % settings_.eval_interval == 0 || state.step == settings_.max_steps) {
      const int64_t index = stopping.state().evaluations;
      const Evaluation evaluation = evaluate(*network, index);
      if (!std::isfinite(evaluation.validation)) {
        throw NumericError("autoencoder: the validation loss is not finite at step " +
                           std::to_string(state.step) + "; lower learning_rate");
      }
      const EarlyStopping::Verdict verdict = stopping.observe(evaluation.validation);
      if (verdict.improved) {
        best->copy_from(*network);
        checkpoints_.save_best(*best, index);
      }
      state.stopping = stopping.state();
      if (verdict.stop) {
        state.stop_reason = StopReason::early_stopping;
      } else if (state.step >= settings_.max_steps) {
        state.stop_reason = StopReason::max_steps;
      }
      checkpoints_.save_checkpoint(*network, optimizer, state);
      const double rate = seconds_since_log > 0
                              ? static_cast<double>(steps_since_log * settings_.batch_size) / seconds_since_log
                              : 0.0;
      const std::string terms =
          architecture_.implicit_head
              ? fmt::format(" (rating {:.5f} + implicit {:.5f})", evaluation.validation_rating,
                            evaluation.validation_implicit)
              : std::string();
      log_.info("step {:>7}  {:>7.0f} samples/s  training loss {:.5f}  validation loss {:.5f}{}  "
                "smoothed {:.5f}  best {:.5f}{}",
                state.step, rate, evaluation.training, evaluation.validation, terms,
                verdict.smoothed, stopping.state().best, verdict.improved ? "  (improved)" : "");
      steps_since_log = 0;
      seconds_since_log = 0;
      if (state.stop_reason != StopReason::running) break;
    }
    if (interrupt_after_step && state.step >= *interrupt_after_step) return best;
  }

  if (stopping.state().best_evaluation < 0) {
    throw NumericError("autoencoder: training ended without a finite validation loss; "
                       "check max_steps and the validation split");
  }
  summary_.steps = state.step;
  summary_.evaluations = stopping.state().evaluations;
  summary_.best_evaluation = stopping.state().best_evaluation;
  summary_.best_loss = stopping.state().best;
  summary_.stop_reason = state.stop_reason;
  summary_.samples_per_second =
      training_seconds > 0 ? static_cast<double>(steps_this_run * settings_.batch_size) / training_seconds : 0.0;
  log_.info("training done after {} steps ({}): best smoothed validation loss {:.5f} at evaluation {}",
            state.step, stop_reason_name(state.stop_reason), summary_.best_loss, summary_.best_evaluation);
  return best;
}

}  // namespace alphas::autoencoder
