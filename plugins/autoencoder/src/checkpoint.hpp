// Checkpoints in the alpha's work folder, written atomically with
// torch::serialize:
//   checkpoint.pt  the latest evaluation: parameters, Adam moments and step,
//                  early-stopping state, and whether training has finished;
//   best.pt        the parameters of the best evaluation so far.
// Both carry the configuration hash; a file with another hash is ignored,
// so a changed configuration starts fresh.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "early_stopping.hpp"
#include "network.hpp"
#include "optimizer.hpp"

namespace alphas::autoencoder {

enum class StopReason { running, early_stopping, max_steps };
const char* stop_reason_name(StopReason reason);

struct TrainingState {
  int64_t step = 0;  // training steps done; the random draws of step s depend only on (seed, s)
  EarlyStopping::State stopping;
  StopReason stop_reason = StopReason::running;
};

class CheckpointFiles {
 public:
  // An empty `folder` disables checkpoints.
  CheckpointFiles(std::filesystem::path folder, std::string config_hash);

  bool enabled() const { return !folder_.empty(); }
  std::filesystem::path checkpoint_file() const { return folder_ / "checkpoint.pt"; }
  std::filesystem::path best_file() const { return folder_ / "best.pt"; }

  void save_checkpoint(Network& network, Optimizer& optimizer, const TrainingState& state) const;
  void save_best(Network& network, int64_t evaluation) const;

  // Loads the checkpoint into network, optimizer and state. Returns false,
  // with the reason in `why`, when there is none or its hash differs.
  bool load_checkpoint(Network& network, Optimizer& optimizer, TrainingState& state,
                       std::string& why) const;
  // Loads best.pt; throws Error naming the file when it is missing, has
  // another hash, or is older than `evaluation` of the checkpoint.
  void load_best(Network& network, int64_t evaluation) const;

 private:
  std::filesystem::path folder_;
  std::string config_hash_;
};

}  // namespace alphas::autoencoder
