// Milliseconds per training step of the autoencoder on synthetic users, for
// the sparse and the dense formulation of the same binary, split into batch
// building, forward, backward and optimizer. Prints one result line; see
// bench/run.sh for the table.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <tbb/global_control.h>

#include "batch.hpp"
#include "counter_rng.hpp"
#include "formulations.hpp"
#include "optimizer.hpp"
#include "threads.hpp"
#include "training_data.hpp"

namespace ae = alphas::autoencoder;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int64_t n_items = 18953;
  int64_t n_users = 4000;
  int64_t list_size = 150;   // list entries per user
  int64_t rated_size = 115;  // rated entries per user, a subset of the list
  int64_t batch_size = 128;
  int64_t warmup = 3;
  int64_t steps = 15;
  std::string formulation = "sparse";
  std::string optimizer = "adam";
  bool implicit_head = false;
  int threads = 2;
  int torch_threads = -1;  // -1: as configure_threads sets them
  int blas_threads = -1;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    const std::string arg = argv[k];
    auto value = [&]() -> std::string {
      if (k + 1 >= argc) throw std::invalid_argument("option " + arg + " needs a value");
      return argv[++k];
    };
    if (arg == "--items") o.n_items = std::stoll(value());
    else if (arg == "--users") o.n_users = std::stoll(value());
    else if (arg == "--list") o.list_size = std::stoll(value());
    else if (arg == "--rated") o.rated_size = std::stoll(value());
    else if (arg == "--batch") o.batch_size = std::stoll(value());
    else if (arg == "--warmup") o.warmup = std::stoll(value());
    else if (arg == "--steps") o.steps = std::stoll(value());
    else if (arg == "--formulation") o.formulation = value();
    else if (arg == "--optimizer") o.optimizer = value();
    else if (arg == "--implicit") o.implicit_head = true;
    else if (arg == "--threads") o.threads = std::stoi(value());
    else if (arg == "--torch-threads") o.torch_threads = std::stoi(value());
    else if (arg == "--blas-threads") o.blas_threads = std::stoi(value());
    else if (arg == "--help") {
      std::cout << "usage: autoencoder_bench [--items N] [--users N] [--list N] [--rated N]\n"
                   "  [--batch N] [--warmup N] [--steps N] [--formulation sparse|dense]\n"
                   "  [--optimizer adam|lazy_adam] [--implicit] [--threads N]\n"
                   "  [--torch-threads N] [--blas-threads N]\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option " + arg + " (see --help)");
    }
  }
  if (o.rated_size > o.list_size || o.list_size > o.n_items) {
    throw std::invalid_argument("need rated <= list <= items");
  }
  return o;
}

// Users with `list_size` distinct items each, drawn with a popularity skew
// (item = n * u^2 for uniform u), the first `rated_size` of them rated 1..10.
alphas::Dataset synthetic_dataset(const Options& o) {
  alphas::Dataset d;
  d.n_users = static_cast<int32_t>(o.n_users);
  d.n_items = static_cast<int32_t>(o.n_items);
  d.scale = {1.0, 10.0};
  const ae::CounterRng rng(12345, ae::Stream::initialization, 7);
  std::vector<uint8_t> taken(static_cast<std::size_t>(o.n_items), 0);
  uint64_t counter = 0;
  for (int32_t u = 0; u < d.n_users; ++u) {
    std::vector<int32_t> items;
    while (static_cast<int64_t>(items.size()) < o.list_size) {
      const double x = rng.uniform(counter++);
      const auto item = static_cast<int32_t>(std::min<double>(o.n_items - 1, x * x * o.n_items));
      if (taken[item]) continue;
      taken[item] = 1;
      items.push_back(item);
    }
    for (std::size_t k = 0; k < items.size(); ++k) {
      taken[items[k]] = 0;
      d.implicit_training.push_back(u, items[k], 1.0f);
      if (static_cast<int64_t>(k) < o.rated_size) {
        const float rating = 1.0f + static_cast<float>(rng.below(counter++, 10));
        (k % 10 == 0 ? d.validation : d.training).push_back(u, items[k], rating);
      }
    }
  }
  return d;
}

alphas::Ratings centered(const alphas::Ratings& r) {
  alphas::Ratings out = r;
  for (float& v : out.rating) v -= 5.5f;
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

long peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// CPU time of the whole process (all threads), which shared machines
// disturb less than wall time.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  tbb::global_control tbb_threads(tbb::global_control::max_allowed_parallelism, o.threads);
  ae::configure_threads(o.threads);
  if (o.torch_threads > 0) at::set_num_threads(o.torch_threads);
  if (o.blas_threads > 0) {
    using SetThreads = void (*)(int);
    auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (set != nullptr) set(o.blas_threads);
  }

  const alphas::Dataset dataset = synthetic_dataset(o);
  const ae::TrainingData data = ae::make_training_data(
      dataset, dataset.training, centered(dataset.training), centered(dataset.training),
      centered(dataset.validation));
  ae::Architecture architecture;
  architecture.n_items = o.n_items;
  architecture.implicit_head = o.implicit_head;
  ae::Network network(architecture, 1);
  int64_t n_parameters = 0;
  for (const ae::NamedTensor& p : network.parameters()) n_parameters += p.tensor.numel();
  ae::Optimizer optimizer(network, ae::AdamSettings{}, ae::parse_optimizer(o.optimizer));
  const ae::BatchBuilder builder(data);
  const bool sparse = o.formulation == "sparse";
  if (!sparse && o.formulation != "dense") throw std::invalid_argument("formulation: sparse or dense");
  ae::LossWeights weights;
  weights.rating = 1.0 / data.training_baseline;
  weights.implicit = o.implicit_head ? 1.0 / std::log(static_cast<double>(o.n_items)) : 0.0;

  std::vector<double> build_ms, forward_ms, backward_ms, optimizer_ms, total_ms, cpu_ms;
  ae::Gradients gradients;
  double inputs_per_sample = 0, outputs_per_sample = 0;
  for (int64_t step = 0; step < o.warmup + o.steps; ++step) {
    const auto t0 = Clock::now();
    const double cpu0 = process_cpu_seconds();
    const ae::CounterRng rng(1, ae::Stream::training_sample, static_cast<uint64_t>(step));
    std::vector<ae::Sample> samples(static_cast<std::size_t>(o.batch_size));
    for (int64_t k = 0; k < o.batch_size; ++k) {
      const uint64_t row = rng.below(static_cast<uint64_t>(k), data.training.size());
      samples[k] = {data.training.user[row], data.training.item[row], 0.0f};
    }
    const ae::Dropout dropout{0.5f, ae::CounterRng(1, ae::Stream::dropout, static_cast<uint64_t>(step))};
    // Both formulations train on the same dropped-out batch; the dense one
    // scatters it into a dense input (the mask's zeros stay zeros).
    const ae::SparseBatch batch = builder.build(samples, ae::Outputs::reconstruction, dropout);
    const auto t1 = Clock::now();
    ae::PhaseTimes phases;
    if (sparse) {
      ae::sparse_loss(network, batch, weights, &gradients, &phases);
    } else {
      ae::dense_loss(network, batch, weights, std::nullopt, &gradients, &phases);
    }
    const auto t2 = Clock::now();
    optimizer.step(gradients);
    const auto t3 = Clock::now();
    const double cpu3 = process_cpu_seconds();
    if (step < o.warmup) continue;
    cpu_ms.push_back(1e3 * (cpu3 - cpu0));
    build_ms.push_back(1e3 * seconds(t0, t1));
    forward_ms.push_back(1e3 * phases.forward);
    backward_ms.push_back(1e3 * phases.backward);
    optimizer_ms.push_back(1e3 * seconds(t2, t3));
    total_ms.push_back(1e3 * seconds(t0, t3));
    inputs_per_sample += static_cast<double>(batch.input_nnz()) / o.batch_size / o.steps;
    outputs_per_sample += static_cast<double>(batch.output_count()) / o.batch_size / o.steps;
  }

  std::printf("| %lld | %s%s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %ld | %.1f | %.0f/%.0f |\n",
              static_cast<long long>(o.n_items), o.formulation.c_str(),
              o.implicit_head ? "+implicit" : "", o.optimizer.c_str(), median(total_ms),
              median(cpu_ms),
              median(build_ms), median(forward_ms), median(backward_ms), median(optimizer_ms),
              peak_rss_mib(), static_cast<double>(n_parameters) / 1e6, inputs_per_sample,
              outputs_per_sample);
  return 0;
} catch (const std::exception& error) {
  std::cerr << "autoencoder_bench: " << error.what() << "\n";
  return 2;
}
