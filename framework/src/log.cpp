// Loggers and progress display. Every logger made here shares one stderr
// sink. That sink also draws the progress bar on a terminal, so a log line
// printed while a bar is shown appears above the bar instead of breaking it.
#include "alphas/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>

#include "alphas/error.hpp"

namespace alphas {
namespace {

using Clock = std::chrono::steady_clock;

// [2026-12-04 20:31:05.123] [name] [info] text
constexpr const char* kPattern = "[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v";

// Writes log lines to stderr, keeping an optional status line (the progress
// bar) below them. The status line is only set when stderr is a terminal.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Shows `text` as the status line, owned by `owner` until it clears it.
  void set_status(const void* owner, const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    owner_ = owner;
    status_ = text;
    std::fputs("\r\033[K", stderr);
    std::fputs(status_.c_str(), stderr);
    std::fflush(stderr);
  }

  // Erases the status line if `owner` still owns it.
  void clear_status(const void* owner) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (owner_ != owner || status_.empty()) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    status_.clear();
    owner_ = nullptr;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    if (!status_.empty()) std::fputs("\r\033[K", stderr);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    if (!status_.empty()) std::fputs(status_.c_str(), stderr);
    std::fflush(stderr);
  }

  void flush_() override { std::fflush(stderr); }

 private:
  std::string status_;
  const void* owner_ = nullptr;
};

// The verbosity shared by every logger of make_logger, and those loggers.
// They are referenced weakly, so a logger without other owners is freed.
struct LoggerRegistry {
  std::mutex mutex;
  std::atomic<int> verbosity{0};
  std::vector<std::weak_ptr<spdlog::logger>> loggers;
};

// Both singletons are leaked on purpose: objects destroyed after main
// returns may still log.
LoggerRegistry& registry() {
  static auto* instance = new LoggerRegistry;
  return *instance;
}

const std::shared_ptr<StderrSink>& stderr_sink() {
  static auto* instance = new std::shared_ptr<StderrSink>(std::make_shared<StderrSink>());
  return *instance;
}

spdlog::level::level_enum level_for(int verbosity) {
  if (verbosity < 0) return spdlog::level::warn;
  if (verbosity == 0) return spdlog::level::info;
  if (verbosity == 1) return spdlog::level::debug;
  return spdlog::level::trace;
}

}  // namespace

void set_verbosity(int verbosity) {
  LoggerRegistry& loggers = registry();
  std::lock_guard<std::mutex> lock(loggers.mutex);
  loggers.verbosity = verbosity;
  const auto level = level_for(verbosity);
  // The terminal shows the chosen level; log files always keep info lines,
  // so an alpha's saved log.txt does not depend on -q.
  stderr_sink()->set_level(level);
  const auto logger_level = std::min(level, spdlog::level::info);
  auto& list = loggers.loggers;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [](const std::weak_ptr<spdlog::logger>& weak) { return weak.expired(); }),
             list.end());
  for (const auto& weak : list) {
    if (auto logger = weak.lock()) logger->set_level(logger_level);
  }
}

spdlog::level::level_enum log_level() { return level_for(registry().verbosity); }

std::shared_ptr<spdlog::logger> make_logger(const std::string& name,
                                            const std::filesystem::path& file) {
  std::vector<spdlog::sink_ptr> sinks{stderr_sink()};
  if (!file.empty()) {
    try {
      // Appends; spdlog creates missing parent directories.
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), false));
    } catch (const spdlog::spdlog_ex& error) {
      throw Error("failed to open log file " + file.string() + ": " + error.what() +
                  ". Check that its directory is writable.");
    }
  }

  // Not registered with spdlog, so two loggers may share a name.
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_pattern(kPattern);
  logger->flush_on(spdlog::level::info);

  LoggerRegistry& loggers = registry();
  std::lock_guard<std::mutex> lock(loggers.mutex);
  logger->set_level(std::min(level_for(loggers.verbosity), spdlog::level::info));
  loggers.loggers.push_back(logger);
  return logger;
}

spdlog::logger& host_log() {
  static auto* logger = [] {
    auto* owner = new std::shared_ptr<spdlog::logger>(make_logger("alphas"));
    // Plugins that call spdlog::info() directly write through it too.
    spdlog::set_default_logger(*owner);
    return owner;
  }();
  return **logger;
}

// ---------------------------------------------------------------------------
// Progress

namespace {

// The bar is redrawn at most this often on a terminal.
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 24;

// "12.3 s", "4 min 05 s", "2 h 07 min".
std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto whole = static_cast<int64_t>(seconds);
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

// Units per second with an SI suffix: "512", "12.3k", "4.56M".
std::string format_rate(double per_second) {
  if (!std::isfinite(per_second)) return "?";
  if (per_second >= 1e9) return fmt::format("{:.3g}G", per_second / 1e9);
  if (per_second >= 1e6) return fmt::format("{:.3g}M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.3g}k", per_second / 1e3);
  return fmt::format("{:.3g}", per_second);
}

}  // namespace

struct Progress::State {
  spdlog::logger& log;
  std::string label;
  int64_t total;
  Clock::duration interval;
  bool visible;   // false when the logger drops info lines
  bool terminal;  // stderr is a terminal: redraw a bar instead of logging lines
  Clock::time_point start = Clock::now();

  std::atomic<int64_t> done{0};
  // Earliest time of the next output, in Clock ticks since the epoch.
  std::atomic<Clock::rep> next_output;
  std::mutex output_mutex;
  bool finished = false;  // guarded by output_mutex

  State(spdlog::logger& log_, std::string label_, int64_t total_, Clock::duration interval_)
      : log(log_),
        label(std::move(label_)),
        total(total_),
        interval(interval_),
        visible(log_.should_log(spdlog::level::info) && log_level() <= spdlog::level::info),
        terminal(isatty(fileno(stderr)) != 0),
        next_output((start + (terminal ? Clock::duration(kRedrawInterval) : interval_))
                        .time_since_epoch()
                        .count()) {}

  double elapsed_seconds(Clock::time_point now) const {
    return std::chrono::duration<double>(now - start).count();
  }

  // "label  45% [##########..............] 450/1000 12.3 s<15.1 s 37.1/s"
  std::string bar_text(int64_t count, double elapsed) const {
    const double rate = elapsed > 0 ? count / elapsed : 0;
    std::string text = label;
    if (total > 0) {
      const double fraction = std::clamp(static_cast<double>(count) / total, 0.0, 1.0);
      const int filled = static_cast<int>(fraction * kBarWidth);
      text += fmt::format(" {:3.0f}% [{}{}] {}/{}", fraction * 100, std::string(filled, '#'),
                          std::string(kBarWidth - filled, '.'), count, total);
      const double eta = rate > 0 ? (total - count) / rate : NAN;
      text += " " + format_duration(elapsed) + "<" + format_duration(eta);
    } else {
      text += fmt::format(" {} {}", count, format_duration(elapsed));
    }
    return text + " " + format_rate(rate) + "/s";
  }

  // "label: 450/1000 (45.0%), 37.1/s, elapsed 12.3 s, ETA 15.1 s"
  std::string line_text(int64_t count, double elapsed) const {
    const double rate = elapsed > 0 ? count / elapsed : 0;
    std::string text = label + ": " + std::to_string(count);
    if (total > 0) {
      text += fmt::format("/{} ({:.1f}%)", total, 100.0 * count / total);
    }
    text += ", " + format_rate(rate) + "/s, elapsed " + format_duration(elapsed);
    if (total > 0) {
      const double eta = rate > 0 ? (total - count) / rate : NAN;
      text += ", ETA " + format_duration(eta);
    }
    return text;
  }
};

Progress::Progress(spdlog::logger& log, std::string label, int64_t total,
                   std::chrono::seconds interval)
    : state_(std::make_unique<State>(log, std::move(label), total, interval)) {
  if (state_->visible && state_->terminal) {
    stderr_sink()->set_status(state_.get(), state_->bar_text(0, 0));
  }
}

Progress::~Progress() {
  std::lock_guard<std::mutex> lock(state_->output_mutex);
  if (!state_->finished && state_->terminal) stderr_sink()->clear_status(state_.get());
}

void Progress::update(int64_t done) {
  State& state = *state_;
  // Keep the largest count reported, since threads may report out of order.
  int64_t previous = state.done.load(std::memory_order_relaxed);
  while (done > previous && !state.done.compare_exchange_weak(previous, done)) {
  }
  if (!state.visible) return;

  const auto now = Clock::now();
  if (now.time_since_epoch().count() < state.next_output.load(std::memory_order_relaxed)) return;
  // One thread draws; the others return at once instead of waiting.
  std::unique_lock<std::mutex> lock(state.output_mutex, std::try_to_lock);
  if (!lock.owns_lock() || state.finished) return;
  if (now.time_since_epoch().count() < state.next_output.load()) return;

  const int64_t count = state.done.load();
  const double elapsed = state.elapsed_seconds(now);
  if (state.terminal) {
    stderr_sink()->set_status(state_.get(), state.bar_text(count, elapsed));
    state.next_output = (now + kRedrawInterval).time_since_epoch().count();
  } else {
    state.log.info(state.line_text(count, elapsed));
    state.next_output = (now + state.interval).time_since_epoch().count();
  }
}

void Progress::finish() {
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.output_mutex);
  if (state.finished) return;
  state.finished = true;
  if (state.terminal) stderr_sink()->clear_status(state_.get());

  const double elapsed = state.elapsed_seconds(Clock::now());
  const int64_t count = state.done.load();
  const double rate = elapsed > 0 ? count / elapsed : 0;
  std::string text = state.label + ": done, " + std::to_string(count);
  if (state.total > 0) text += "/" + std::to_string(state.total);
  text += " in " + format_duration(elapsed) + " (" + format_rate(rate) + "/s)";
  state.log.info(text);
}

}  // namespace alphas
