#include "autoencoder_alpha.hpp"

#include <cmath>
#include <cstring>

#include <tbb/task_arena.h>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "counter_rng.hpp"
#include "predictor.hpp"
#include "threads.hpp"

namespace alphas::autoencoder {
namespace {

// Version of the training arithmetic, part of the checkpoint hash: bump it
// when a change to the code changes the numbers a step computes, so that
// checkpoints of the old code are not resumed.
constexpr int kArithmeticVersion = 1;

// A 64-bit fingerprint of an array's bytes. It is not cryptographic, but it
// distinguishes a checkpoint's data from changed data.
template <class T>
uint64_t fingerprint(const std::vector<T>& values, uint64_t h) {
  h = mix64(h ^ values.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  const std::size_t n = values.size() * sizeof(T);
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + k, 8);
    h = mix64(h ^ word);
  }
  for (; k < n; ++k) h = mix64(h ^ bytes[k]);
  return h;
}

uint64_t data_fingerprint(const TrainingData& data) {
  uint64_t h = mix64(static_cast<uint64_t>(data.n_users) << 32 | static_cast<uint32_t>(data.n_items));
  h = fingerprint(data.inputs.cols, h);
  h = fingerprint(data.inputs.values, h);
  h = fingerprint(data.raw_values, h);
  h = fingerprint(data.listed.cols, h);
  h = fingerprint(data.targets.cols, h);
  h = fingerprint(data.targets.values, h);
  h = fingerprint(data.training.user, h);
  h = fingerprint(data.training.item, h);
  h = fingerprint(data.validation.user, h);
  h = fingerprint(data.validation.item, h);
  h = fingerprint(data.validation.rating, h);
  return h;
}

// Runs `phase`, and rethrows an alphas error with the alpha's name in place
// of the plugin's "autoencoder: " prefix, keeping its type.
template <class Phase>
void run_named(const std::string& alpha, Phase phase) {
  auto message = [&](const Error& error) {
    std::string text = error.what();
    const std::string prefix = "autoencoder: ";
    if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
    return text.rfind(alpha + ":", 0) == 0 ? text : alpha + ": " + text;
  };
  try {
    phase();
  } catch (const InputError& error) {
    throw InputError(message(error));
  } catch (const NumericError& error) {
    throw NumericError(message(error));
  } catch (const PluginError& error) {
    throw PluginError(message(error));
  } catch (const Error& error) {
    throw Error(message(error));
  }
}

}  // namespace

std::string AutoencoderAlpha::config_hash(const AlphaSpec& spec, const Settings& settings,
                                          const TrainingData& data, bool implicit_head) {
  nlohmann::json config = {{"arithmetic_version", kArithmeticVersion},
                           {"family", implicit_head ? "GNN" : "GNN.Resid"},
                           {"residual_alphas", spec.residual_alphas},
                           {"target_alphas", spec.target_alphas},
                           {"seed", spec.seed},
                           {"settings", settings.trajectory_json()},
                           {"data", std::to_string(data_fingerprint(data))}};
  return sha256_hex(config.dump());
}

void AutoencoderAlpha::configure(AlphaParams& params) {
  settings_ = read_settings(params, implicit_head_);
  const AlphaSpec& spec = params.spec();
  if (!implicit_head_ && spec.target_alphas.empty()) {
    params.add_problem("", spec.name + ": family GNN.Resid trains on the residuals of its "
                           "targets, but the recipe gives none; set targets (e.g. the 13 alphas "
                           "of the reference chain), or use family GNN");
  }
}

void AutoencoderAlpha::load(AlphaContext& context) {
  run_named(context.name(), [&] { load_phase(context); });
}

void AutoencoderAlpha::load_phase(AlphaContext& context) {
  const Dataset& dataset = context.dataset();
  data_ = make_training_data(dataset, context.store().residuals(Split::training, {}),
                             context.residuals(Split::training),
                             context.target_residuals(Split::training),
                             context.target_residuals(Split::validation));
  context.log().info("{} users, {} items, input width {}; {} training inputs, {} list entries, "
                     "{} rating targets; baseline losses {:.5f} (training), {:.5f} (validation)",
                     data_->n_users, data_->n_items, data_->input_width(), data_->inputs.nnz(),
                     data_->listed.nnz(), data_->targets.nnz(), data_->training_baseline,
                     data_->validation_baseline);
  if (data_->rated_not_listed > 0) {
    context.log().warn("{} rated training pairs are not on the implicit list; the rating head "
                       "is trained only on listed items, so they are inputs but never targets",
                       data_->rated_not_listed);
  }
}

void AutoencoderAlpha::train(AlphaContext& context) {
  run_named(context.name(), [&] { train_phase(context); });
}

void AutoencoderAlpha::train_phase(AlphaContext& context) {
  if (!data_) throw Error(context.name() + ": train() called before load()");
  Architecture architecture;
  architecture.n_items = data_->n_items;
  architecture.encoder_widths = settings_.encoder_widths;
  architecture.implicit_head = implicit_head_;

  const std::string hash = config_hash(context.spec(), settings_, *data_, implicit_head_);
  context.log().info("threads: {}", configure_threads(context.threads()));
  tbb::task_arena arena(context.threads());
  Trainer trainer(*data_, settings_, architecture, context.seed(), context.log(),
                  CheckpointFiles(context.work_dir(), hash));
  arena.execute([&] { network_ = trainer.train(); });
  summary_ = trainer.summary();

  context.record("steps", summary_.steps);
  context.record("evaluations", summary_.evaluations);
  context.record("best_evaluation", summary_.best_evaluation);
  context.record("best_step", (summary_.best_evaluation + 1) * settings_.eval_interval);
  context.record("validation_loss", summary_.best_loss);
  context.record("stop_reason", stop_reason_name(summary_.stop_reason));
  context.record("config_hash", hash);
  context.log().info("training throughput {:.0f} samples/s{}", summary_.samples_per_second,
                     summary_.resumed ? " (this run only; resumed from a checkpoint)" : "");
}

void AutoencoderAlpha::write(AlphaContext& context) {
  run_named(context.name(), [&] { write_phase(context); });
}

void AutoencoderAlpha::write_phase(AlphaContext& context) {
  if (!network_) throw Error(context.name() + ": write() called before train()");
  tbb::task_arena arena(context.threads());
  const Predictor predictor(*data_, *network_, settings_.prediction_batch_users, settings_.formulation);
  arena.execute([&] {
    context.write_predictions([&](const std::vector<int32_t>& users, const std::vector<int32_t>& items) {
      return predictor.ratings(users, items);
    });
    if (implicit_head_) {
      context.write_predictions(
          [&](const std::vector<int32_t>& users, const std::vector<int32_t>& items) {
            return predictor.implicit(users, items);
          },
          OutputOptions{".Implicit", true});
    }
  });
}

}  // namespace alphas::autoencoder
