// Captures what the process writes to file descriptor 2 (stderr), including
// output of plugin code and of child processes started meanwhile. The
// capture target is a regular file, so isatty(2) is false while it runs.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace alphas::testing {

class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    char name[] = "/tmp/alphas_stderr_XXXXXX";
    file_ = mkstemp(name);
    if (file_ < 0) throw std::runtime_error("mkstemp failed for the stderr capture");
    unlink(name);
    saved_ = dup(2);
    dup2(file_, 2);
  }
  ~StderrCapture() {
    restore();
    close(file_);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // Restores stderr and returns everything written since construction.
  std::string finish() {
    restore();
    std::string text;
    char buffer[4096];
    lseek(file_, 0, SEEK_SET);
    ssize_t count = 0;
    while ((count = read(file_, buffer, sizeof buffer)) > 0) text.append(buffer, count);
    return text;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }

  int file_ = -1;
  int saved_ = -1;
};

}  // namespace alphas::testing
