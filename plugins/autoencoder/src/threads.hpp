// Sizing of the three thread pools a training step uses, so together they
// stay within the --threads budget.
#pragma once

#include <string>

namespace alphas::autoencoder {

// Sets LibTorch's intra-op threads (OpenMP in Debian's LibTorch 1.13) and
// the BLAS library's threads (OpenBLAS, found at run time; other BLAS
// libraries are left alone) to `threads`. The sparse kernels and batch
// building run on TBB, bounded by the caller's task arena. Returns a
// description for the log.
std::string configure_threads(int threads);

}  // namespace alphas::autoencoder
