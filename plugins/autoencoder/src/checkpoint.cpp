#include "checkpoint.hpp"

#include <torch/serialize.h>
#include <torch/torch.h>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"

namespace alphas::autoencoder {
namespace {

// Format version of the checkpoint files; bump when their keys change.
constexpr int64_t kFormat = 1;

void write_parameters(torch::serialize::OutputArchive& archive, const Network& network) {
  for (const NamedTensor& p : network.parameters()) {
    archive.write("param/" + p.name, p.tensor.detach().to(torch::kCPU));
  }
}

void read_parameters(torch::serialize::InputArchive& archive, Network& network) {
  torch::NoGradGuard no_grad;
  for (NamedTensor& p : network.parameters()) {
    torch::Tensor value;
    archive.read("param/" + p.name, value);
    if (!value.sizes().equals(p.tensor.sizes())) {
      throw Error("autoencoder: checkpoint parameter " + p.name + " has another shape");
    }
    p.tensor.copy_(value);
  }
}

int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  return value.toInt();
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  return value.toStringRef();
}

// Opens `file` and checks its format and hash; returns false with the reason otherwise.
bool open_matching(const std::filesystem::path& file, const std::string& hash,
                   torch::serialize::InputArchive& archive, std::string& why) {
  if (!std::filesystem::exists(file)) {
    why = "no checkpoint at " + file.string();
    return false;
  }
  try {
    archive.load_from(file.string());
    if (read_int(archive, "format") != kFormat) {
      why = file.string() + " has another format version";
      return false;
    }
    if (read_string(archive, "config_hash") != hash) {
      why = file.string() + " belongs to another configuration or other input data";
      return false;
    }
  } catch (const c10::Error& error) {
    why = file.string() + " cannot be read (" + error.what_without_backtrace() + ")";
    return false;
  }
  return true;
}

}  // namespace

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::running: return "running";
    case StopReason::early_stopping: return "early_stopping";
    case StopReason::max_steps: return "max_steps";
  }
  return "unknown";
}

CheckpointFiles::CheckpointFiles(std::filesystem::path folder, std::string config_hash)
    : folder_(std::move(folder)), config_hash_(std::move(config_hash)) {
  if (enabled()) std::filesystem::create_directories(folder_);
}

void CheckpointFiles::save_checkpoint(Network& network, Optimizer& optimizer,
                                      const TrainingState& state) const {
  if (!enabled()) return;
  network.prepare_all();
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(kFormat));
  archive.write("config_hash", c10::IValue(config_hash_));
  write_parameters(archive, network);
  for (std::size_t k = 0; k < network.parameters().size(); ++k) {
    const std::string& name = network.parameters()[k].name;
    archive.write("adam_m/" + name, optimizer.first_moments()[k].to(torch::kCPU));
    archive.write("adam_v/" + name, optimizer.second_moments()[k].to(torch::kCPU));
  }
  archive.write("adam_steps", c10::IValue(optimizer.steps()));
  archive.write("step", c10::IValue(state.step));
  archive.write("stop_reason", c10::IValue(static_cast<int64_t>(state.stop_reason)));
  archive.write("stopping/best", c10::IValue(state.stopping.best));
  archive.write("stopping/evaluations", c10::IValue(state.stopping.evaluations));
  archive.write("stopping/without_improvement", c10::IValue(state.stopping.without_improvement));
  archive.write("stopping/best_evaluation", c10::IValue(state.stopping.best_evaluation));
  archive.write("stopping/stopped", c10::IValue(state.stopping.stopped));
  write_atomically(checkpoint_file(), [&](const std::filesystem::path& tmp) {
    archive.save_to(tmp.string());
  });
}

void CheckpointFiles::save_best(Network& network, int64_t evaluation) const {
  if (!enabled()) return;
  network.prepare_all();
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(kFormat));
  archive.write("config_hash", c10::IValue(config_hash_));
  archive.write("evaluation", c10::IValue(evaluation));
  write_parameters(archive, network);
  write_atomically(best_file(), [&](const std::filesystem::path& tmp) {
    archive.save_to(tmp.string());
  });
}

bool CheckpointFiles::load_checkpoint(Network& network, Optimizer& optimizer, TrainingState& state,
                                      std::string& why) const {
  if (!enabled()) {
    why = "checkpoints are disabled";
    return false;
  }
  torch::serialize::InputArchive archive;
  if (!open_matching(checkpoint_file(), config_hash_, archive, why)) return false;

  read_parameters(archive, network);
  torch::NoGradGuard no_grad;
  for (std::size_t k = 0; k < network.parameters().size(); ++k) {
    const std::string& name = network.parameters()[k].name;
    torch::Tensor m, v;
    archive.read("adam_m/" + name, m);
    archive.read("adam_v/" + name, v);
    optimizer.first_moments()[k].copy_(m);
    optimizer.second_moments()[k].copy_(v);
  }
  optimizer.set_steps(read_int(archive, "adam_steps"));
  state.step = read_int(archive, "step");
  state.stop_reason = static_cast<StopReason>(read_int(archive, "stop_reason"));
  c10::IValue value;
  archive.read("stopping/best", value);
  state.stopping.best = value.toDouble();
  state.stopping.evaluations = read_int(archive, "stopping/evaluations");
  state.stopping.without_improvement = read_int(archive, "stopping/without_improvement");
  state.stopping.best_evaluation = read_int(archive, "stopping/best_evaluation");
  archive.read("stopping/stopped", value);
  state.stopping.stopped = value.toBool();
  return true;
}

void CheckpointFiles::load_best(Network& network, int64_t evaluation) const {
  torch::serialize::InputArchive archive;
  std::string why;
  if (!open_matching(best_file(), config_hash_, archive, why)) {
    throw Error("autoencoder: cannot resume: " + why + "; delete " + checkpoint_file().string() +
                " to train from scratch");
  }
  const int64_t saved = read_int(archive, "evaluation");
  if (saved < evaluation) {
    throw Error("autoencoder: cannot resume: " + best_file().string() + " contains evaluation " +
                std::to_string(saved) + " but the checkpoint's best is evaluation " +
                std::to_string(evaluation) + "; delete " + checkpoint_file().string() +
                " to train from scratch");
  }
  read_parameters(archive, network);
}

}  // namespace alphas::autoencoder
