// The alpha families GNN (rating and implicit heads, on residuals of its
// inputs) and GNN.Resid (rating head only, trained on residuals of its
// targets): one model in two configurations.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "alphas/alpha.hpp"
#include "network.hpp"
#include "settings.hpp"
#include "trainer.hpp"
#include "training_data.hpp"

namespace alphas::autoencoder {

class AutoencoderAlpha : public Alpha {
 public:
  // `implicit_head`: true for GNN, false for GNN.Resid.
  explicit AutoencoderAlpha(bool implicit_head) : implicit_head_(implicit_head) {}

  void configure(AlphaParams& params) override;
  void load(AlphaContext& context) override;
  void train(AlphaContext& context) override;
  void write(AlphaContext& context) override;

  const TrainingSummary& summary() const { return summary_; }

  // The configuration hash stored with checkpoints: the family, inputs,
  // seed, every setting that changes the trajectory, and a fingerprint of
  // the training data.
  static std::string config_hash(const AlphaSpec& spec, const Settings& settings,
                                 const TrainingData& data, bool implicit_head);

 private:
  void load_phase(AlphaContext& context);
  void train_phase(AlphaContext& context);
  void write_phase(AlphaContext& context);

  bool implicit_head_;
  Settings settings_;
  std::optional<TrainingData> data_;
  std::unique_ptr<Network> network_;
  TrainingSummary summary_;
};

}  // namespace alphas::autoencoder
