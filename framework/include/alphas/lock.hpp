// An exclusive lock on a data directory, so that two runs never write the
// same outputs at once and an import never replaces the dataset under a run.
#pragma once

#include <string>

#include "alphas/data_dir.hpp"

namespace alphas {

// Holds flock(2) on the data directory's lock file for its lifetime. The
// kernel releases the lock when the holder exits, even after kill -9, so a
// crashed run never blocks the next one. The file records the holder's pid,
// start time and command line for the message the next run prints.
class DataDirLock {
 public:
  enum class Mode { fail_if_held, wait };

  // Creates the data directory if needed and takes the lock. When another
  // process holds it, fail_if_held throws Error naming the holder (pid,
  // command, start time). In wait mode the message is logged once and the
  // call blocks until the holder releases the lock.
  DataDirLock(const DataDir& dir, const std::string& command, Mode mode);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  // Returns the holder description recorded in the lock file, or "" when
  // the file is missing or empty. For messages only: the text can be stale.
  static std::string holder(const DataDir& dir);

 private:
  int fd_ = -1;
};

}  // namespace alphas
