// Every parameter of the autoencoder, with its default, read from a recipe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adam.hpp"
#include "early_stopping.hpp"
#include "optimizer.hpp"

namespace alphas {
class AlphaParams;
}

namespace alphas::autoencoder {

enum class Formulation { sparse, dense };

struct Settings {
  std::vector<int64_t> encoder_widths = {512, 256, 128};
  double dropout = 0.5;                 // input dropout rate during training
  AdamSettings adam;                    // lr 1e-3, betas (0.9, 0.999), eps 1e-5
  OptimizerKind optimizer = OptimizerKind::adam;
  int64_t batch_size = 128;
  int64_t eval_interval = 256;          // training steps between evaluations
  EarlyStoppingSettings early_stopping; // patience 30, smoothing 0.9, min improvement 1e-4
  int64_t max_steps = 2048;
  int64_t training_eval_batches = 16;   // batches of training loss per evaluation (logged only)
  int64_t validation_eval_batches = 256;// validation pairs per evaluation: at most this many batches
  double implicit_weight = 1.0;         // implicit loss factor (GNN only)
  std::string device = "cpu";           // "cpu", "cuda" or "cuda:<index>"
  Formulation formulation = Formulation::sparse;
  bool resume = true;                   // continue from a checkpoint of the same configuration
  int64_t prediction_batch_users = 128; // users per prediction batch

  // Everything that changes the training trajectory, for the checkpoint's
  // configuration hash. max_steps and resume are left out: max_steps only
  // cuts the trajectory short, so a longer run may continue a shorter one.
  nlohmann::json trajectory_json() const;
};

// Reads every parameter through `params` (so params.json records it) and
// checks its range, recording each problem in `params` with the alpha, key,
// value and valid range. A CUDA device is checked by check_device.
// `implicit_head`: the family has the implicit head (GNN), so
// implicit_weight is read.
Settings read_settings(AlphaParams& params, bool implicit_head);

// Throws InputError when `device` is not "cpu", "cuda" or "cuda:<index>",
// or names a CUDA device that this LibTorch build or machine does not have.
void check_device(const std::string& alpha, const std::string& device);

}  // namespace alphas::autoencoder
