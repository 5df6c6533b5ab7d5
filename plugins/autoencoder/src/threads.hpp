// Sizing of the three thread pools a training step uses, so together they
// stay within the --threads budget.
#pragma once

#include <string>

namespace alphas::autoencoder {

// Gives `threads` to OpenBLAS and to the TBB arena of the sparse kernels,
// and one thread to LibTorch's intra-op pool (OpenMP in Debian's LibTorch
// 1.13). OpenBLAS is found at run time, and another BLAS library is left
// alone. OpenMP's threads spin after each parallel region, and over the many
// small tensor operations of a step that spinning cost more CPU than the
// parallelism saved. Returns a description for the log.
std::string configure_threads(int threads);

}  // namespace alphas::autoencoder
