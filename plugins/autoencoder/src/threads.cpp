#include "threads.hpp"

#include <dlfcn.h>

#include <ATen/Parallel.h>

namespace alphas::autoencoder {

std::string configure_threads(int threads) {
  if (threads < 1) threads = 1;
  at::set_num_threads(1);
  // OpenBLAS keeps its own thread pool, which LibTorch does not size. The
  // symbol is looked up so that a build against another BLAS still loads.
  using SetThreads = void (*)(int);
  auto openblas_set_num_threads =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  std::string blas = "BLAS threads unchanged (not OpenBLAS)";
  if (openblas_set_num_threads != nullptr) {
    openblas_set_num_threads(threads);
    blas = "OpenBLAS threads " + std::to_string(threads);
  }
  return "LibTorch intra-op threads 1, " + blas + ", TBB arena " + std::to_string(threads);
}

}  // namespace alphas::autoencoder
