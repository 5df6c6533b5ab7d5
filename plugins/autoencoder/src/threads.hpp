// Sizing of the three thread pools a training step uses, so together they
// stay within the --threads budget.
#pragma once

#include <string>

namespace alphas::autoencoder {

// Gives `threads` to OpenBLAS (found at run time; another BLAS library is
// left alone) and to the TBB arena of the sparse kernels, and one thread to
// LibTorch's intra-op pool (OpenMP in Debian's LibTorch 1.13). OpenMP's
// threads spin after each parallel region, and the many small tensor
// operations of a step made that spinning cost more CPU than the
// parallelism saved. Returns a description for the log.
std::string configure_threads(int threads);

}  // namespace alphas::autoencoder
