// Counter-based random numbers: every draw is a pure function of
// (seed, stream, counter), so a draw never depends on the thread that makes
// it or on how many draws came before. Resuming a training run therefore
// needs only the step number, not a generator's internal state.
#pragma once

#include <cstdint>

namespace alphas::autoencoder {

// The splitmix64 finalizer: a bijective 64-bit mix with full avalanche.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Independent sequences drawn from one seed.
enum class Stream : uint64_t {
  initialization = 1,
  training_sample = 2,
  dropout = 3,
  training_evaluation = 4,
  validation_subset = 5,
};

class CounterRng {
 public:
  // `round` separates draws of the same stream, e.g. the training step.
  CounterRng(uint64_t seed, Stream stream, uint64_t round = 0)
      : key_(mix64(mix64(mix64(seed) ^ static_cast<uint64_t>(stream)) ^ round)) {}

  uint64_t bits(uint64_t counter) const { return mix64(key_ ^ mix64(counter)); }

  // Uniform in [0, 1) with 24 bits of resolution, exact in float.
  float uniform(uint64_t counter) const {
    return static_cast<float>(bits(counter) >> 40) * (1.0f / 16777216.0f);
  }

  // Uniform integer in [0, n), by the multiply-shift reduction.
  uint64_t below(uint64_t counter, uint64_t n) const {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(bits(counter)) * n) >> 64);
  }

 private:
  uint64_t key_;
};

}  // namespace alphas::autoencoder
