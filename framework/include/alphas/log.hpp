// Logging and progress reporting shared by the host and every plugin.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace alphas {

// Sets the level of every logger made by make_logger: 0 = info, 1 = debug,
// 2 or more = trace; a negative value shows warnings and errors only.
void set_verbosity(int verbosity);
spdlog::level::level_enum log_level();

// A logger that writes timestamped lines to stderr and, when `file` is not
// empty, appends them to that file too.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            const std::filesystem::path& file = {});

// The logger of the host program (stderr only).
spdlog::logger& host_log();

// Progress of a long loop. On a terminal it redraws one bar with rate and
// ETA; otherwise it logs a plain line at most every `interval` (display
// only: no result ever depends on it).
class Progress {
 public:
  Progress(spdlog::logger& log, std::string label, int64_t total,
           std::chrono::seconds interval = std::chrono::seconds(30));
  ~Progress();
  // Reports that `done` of `total` units are complete. Thread-safe.
  void update(int64_t done);
  // Ends the display with a final line.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace alphas
