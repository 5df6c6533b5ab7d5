// Training: resumption from a checkpoint, determinism, and evaluation-mode
// predictions.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <unistd.h>

#include <filesystem>

#include <ATen/Context.h>
#include <spdlog/sinks/null_sink.h>

#include "alphas/error.hpp"
#include "predictor.hpp"
#include "test_data.hpp"
#include "trainer.hpp"

namespace alphas::autoencoder {
namespace {

namespace fs = std::filesystem;

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings.encoder_widths = {8, 6, 4};
    settings.batch_size = 8;
    settings.eval_interval = 5;
    settings.max_steps = 40;
    settings.early_stopping.patience = 100;  // run every step of max_steps
    settings.training_eval_batches = 2;
    settings.validation_eval_batches = 2;
    architecture.n_items = dataset.n_items;
    architecture.encoder_widths = settings.encoder_widths;
    architecture.implicit_head = true;
    root = fs::temp_directory_path() /
           ("autoencoder_trainer_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
  }
  void TearDown() override { fs::remove_all(root); }

  std::unique_ptr<Network> train(const fs::path& folder, const std::string& hash, uint64_t seed = 1,
                                 std::optional<int64_t> interrupt = std::nullopt,
                                 TrainingSummary* summary = nullptr) {
    Trainer trainer(data, settings, architecture, seed, log, CheckpointFiles(folder, hash));
    std::unique_ptr<Network> best = trainer.train(interrupt);
    if (summary != nullptr) *summary = trainer.summary();
    return best;
  }

  Dataset dataset = testing::make_dataset(12, 15, 3);
  TrainingData data = testing::make_training_data_for(dataset);
  Settings settings;
  Architecture architecture;
  spdlog::logger log{"trainer_test", std::make_shared<spdlog::sinks::null_sink_mt>()};
  fs::path root;
};

void expect_same_parameters(const Network& a, const Network& b) {
  ASSERT_EQ(a.parameters().size(), b.parameters().size());
  for (std::size_t k = 0; k < a.parameters().size(); ++k) {
    EXPECT_TRUE(torch::equal(a.parameters()[k].tensor, b.parameters()[k].tensor))
        << a.parameters()[k].name;
  }
}

bool same_parameters(const Network& a, const Network& b) {
  for (std::size_t k = 0; k < a.parameters().size(); ++k) {
    if (!torch::equal(a.parameters()[k].tensor, b.parameters()[k].tensor)) return false;
  }
  return true;
}

TEST_F(TrainerTest, ResumedRunEqualsStraightRun) {
  TrainingSummary straight_summary, resumed_summary;
  const std::unique_ptr<Network> straight = train(root / "straight", "h", 1, std::nullopt, &straight_summary);

  // Stop at step 17: the last checkpoint is step 15, so steps 16 and 17 are
  // lost as in a killed process, and redone on resumption.
  train(root / "resumed", "h", 1, 17);
  const std::unique_ptr<Network> resumed = train(root / "resumed", "h", 1, std::nullopt, &resumed_summary);
  EXPECT_TRUE(resumed_summary.resumed);
  EXPECT_EQ(resumed_summary.steps, 40);
  EXPECT_EQ(resumed_summary.best_evaluation, straight_summary.best_evaluation);
  EXPECT_EQ(resumed_summary.best_loss, straight_summary.best_loss);
  expect_same_parameters(*straight, *resumed);

  // The last model and Adam state agree too, not only the best model.
  auto load = [&](const fs::path& folder, Network& network, TrainingState& state) {
    Optimizer optimizer(network, settings.adam, settings.optimizer);
    std::string why;
    EXPECT_TRUE(CheckpointFiles(folder, "h").load_checkpoint(network, optimizer, state, why)) << why;
    return std::make_pair(optimizer.first_moments(), optimizer.second_moments());
  };
  Network last_straight(architecture, 99), last_resumed(architecture, 98);
  TrainingState state_straight, state_resumed;
  const auto moments_straight = load(root / "straight", last_straight, state_straight);
  const auto moments_resumed = load(root / "resumed", last_resumed, state_resumed);
  expect_same_parameters(last_straight, last_resumed);
  for (std::size_t k = 0; k < moments_straight.first.size(); ++k) {
    EXPECT_TRUE(torch::equal(moments_straight.first[k], moments_resumed.first[k]));
    EXPECT_TRUE(torch::equal(moments_straight.second[k], moments_resumed.second[k]));
  }
  EXPECT_EQ(state_straight.step, 40);
  EXPECT_EQ(state_resumed.stopping.evaluations, state_straight.stopping.evaluations);
  // Training moved the weights away from the best model's starting point.
  EXPECT_FALSE(same_parameters(last_straight, Network(architecture, 1)));
}

TEST_F(TrainerTest, FinishedCheckpointIsReused) {
  TrainingSummary first, second;
  const auto a = train(root / "run", "h", 1, std::nullopt, &first);
  EXPECT_FALSE(first.resumed);
  const auto b = train(root / "run", "h", 1, std::nullopt, &second);
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.samples_per_second, 0.0);  // no training step ran
  expect_same_parameters(*a, *b);
}

TEST_F(TrainerTest, OtherConfigurationStartsFresh) {
  train(root / "run", "first", 1, 12);
  TrainingSummary summary;
  train(root / "run", "second", 1, std::nullopt, &summary);
  EXPECT_FALSE(summary.resumed);
  EXPECT_EQ(summary.steps, 40);
}

TEST_F(TrainerTest, SameSeedSameResultOtherSeedOther) {
  const auto a = train({}, "h", 1);
  const auto b = train({}, "h", 1);
  const auto c = train({}, "h", 2);
  expect_same_parameters(*a, *b);
  EXPECT_FALSE(same_parameters(*a, *c));
}

TEST_F(TrainerTest, LazyAdamTrainsOtherWeights) {
  const auto exact = train({}, "h", 1);
  settings.optimizer = OptimizerKind::lazy_adam;
  const auto lazy = train({}, "h", 1);
  EXPECT_FALSE(same_parameters(*exact, *lazy));
}

TEST_F(TrainerTest, PredictionIsDeterministicAndUntrainedItemIsZero) {
  const auto network = train({}, "h", 1);
  const Predictor predictor(data, *network, 4, Formulation::sparse);
  std::vector<int32_t> users = dataset.validation.user;
  std::vector<int32_t> items = dataset.validation.item;
  users.push_back(0);
  items.push_back(dataset.n_items - 1);  // never rated: no training target
  const std::vector<float> first = predictor.ratings(users, items);
  const std::vector<float> second = predictor.ratings(users, items);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first.back(), 0.0f);
  int64_t nonzero = 0;
  for (float p : first) nonzero += (p != 0.0f);
  EXPECT_GT(nonzero, static_cast<int64_t>(first.size()) / 2);

  // A pair's prediction does not depend on the other pairs of the call,
  // except in the last bits: BLAS picks its GEMM kernel by matrix shape.
  const std::vector<float> single = predictor.ratings({users[0]}, {items[0]});
  EXPECT_NEAR(single[0], first[0], 1e-6 * std::abs(first[0]) + 1e-9);

  const std::vector<float> p1 = predictor.implicit(users, items);
  const std::vector<float> p2 = predictor.implicit(users, items);
  EXPECT_EQ(p1, p2);
  for (float p : p1) {
    EXPECT_GT(p, 0.0f);
    EXPECT_LT(p, 1.0f);
  }
}

TEST_F(TrainerTest, DeferredRowsEqualEagerAdam) {
  Network deferred(architecture, 5), eager(architecture, 5);
  Optimizer deferred_optimizer(deferred, settings.adam, OptimizerKind::adam, true);
  Optimizer eager_optimizer(eager, settings.adam, OptimizerKind::adam, false);
  const BatchBuilder builder(data);
  LossWeights weights;
  weights.implicit = 0.5;
  Gradients gradients;
  for (int64_t step = 0; step < 12; ++step) {
    // Small batches leave most rows without a gradient at each step.
    std::vector<Sample> samples;
    for (int64_t k = 0; k < 3; ++k) {
      const std::size_t row = static_cast<std::size_t>((step * 7 + k * 13) % dataset.training.size());
      samples.push_back({dataset.training.user[row], dataset.training.item[row], 0.0f});
    }
    const SparseBatch batch = builder.build(samples, Outputs::reconstruction);
    const double deferred_loss = sparse_loss(deferred, batch, weights, &gradients).total;
    deferred_optimizer.step(gradients);
    const double eager_loss = sparse_loss(eager, batch, weights, &gradients).total;
    eager_optimizer.step(gradients);
    EXPECT_EQ(deferred_loss, eager_loss) << "step " << step;
  }
  deferred.prepare_all();
  expect_same_parameters(deferred, eager);
  for (std::size_t k = 0; k < eager_optimizer.first_moments().size(); ++k) {
    EXPECT_TRUE(torch::equal(deferred_optimizer.first_moments()[k], eager_optimizer.first_moments()[k]));
    EXPECT_TRUE(torch::equal(deferred_optimizer.second_moments()[k], eager_optimizer.second_moments()[k]));
  }
}

// device: cuda trains the dense formulation on the GPU; it follows the CPU
// run of the same seed up to the rounding of GPU kernels. Runs only where
// LibTorch has CUDA and a GPU is visible.
TEST_F(TrainerTest, CudaTrainingFollowsCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device in this LibTorch or machine";
  settings.formulation = Formulation::dense;
  settings.max_steps = 10;
  settings.eval_interval = 5;
  const auto cpu = train({}, "h", 1);
  settings.device = "cuda";
  const auto gpu = train({}, "h", 1);
  EXPECT_TRUE(gpu->device().is_cuda());
  gpu->to(torch::kCPU);
  for (std::size_t k = 0; k < cpu->parameters().size(); ++k) {
    const torch::Tensor& expected = cpu->parameters()[k].tensor;
    const torch::Tensor& actual = gpu->parameters()[k].tensor;
    EXPECT_TRUE(torch::allclose(actual, expected, 1e-3, 1e-4)) << cpu->parameters()[k].name;
  }

  const Predictor cpu_predictor(data, *cpu, 4, Formulation::dense);
  gpu->to(torch::Device("cuda"));
  const Predictor gpu_predictor(data, *gpu, 4, Formulation::dense);
  const std::vector<float> expected = cpu_predictor.ratings(dataset.validation.user, dataset.validation.item);
  const std::vector<float> actual = gpu_predictor.ratings(dataset.validation.user, dataset.validation.item);
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(actual[k], expected[k], 1e-3 * std::abs(expected[k]) + 1e-4) << "pair " << k;
  }
}

TEST(Device, CudaWithoutCudaBuildIsRejected) {
  if (at::hasCUDA()) GTEST_SKIP() << "this LibTorch has CUDA; the error path needs a CPU-only build";
  try {
    check_device("GNN.1", "cuda");
    FAIL() << "device cuda was accepted";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("GNN.1"), std::string::npos) << message;
    EXPECT_NE(message.find("no CUDA support"), std::string::npos) << message;
    EXPECT_NE(message.find("device: cpu"), std::string::npos) << message;
  }
}

TEST(Device, MalformedDeviceIsRejected) {
  EXPECT_THROW(check_device("GNN.1", "gpu"), InputError);
  EXPECT_THROW(check_device("GNN.1", "cuda:x"), InputError);
  EXPECT_NO_THROW(check_device("GNN.1", "cpu"));
}

}  // namespace
}  // namespace alphas::autoencoder
