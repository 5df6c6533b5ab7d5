// Tests of the loggers and of Progress, on a file, a pipe-like capture and
// a pseudo-terminal.
#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "alphas/error.hpp"
#include "alphas/log.hpp"
#include "plugins/capture_stderr.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

int count_occurrences(const std::string& text, const std::string& fragment) {
  int count = 0;
  for (auto at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + 1)) {
    ++count;
  }
  return count;
}

// Restores the default verbosity when a test that changes it ends.
struct VerbosityGuard {
  ~VerbosityGuard() { set_verbosity(0); }
};

TEST(Logger, FileSinkGetsTimestampedLines) {
  testing::TempDir dir;
  const fs::path file = dir / "logs" / "run.log";  // the folder does not exist yet
  testing::StderrCapture capture;
  {
    auto log = make_logger("file_test", file);
    log->info("hello {}", 42);
    log->warn("second line");
  }
  const std::string stderr_text = capture.finish();

  const std::vector<std::string> lines = split_lines(read_text(file));
  ASSERT_EQ(lines.size(), 2u);
  const std::regex pattern(
      R"(\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] \[file_test\] \[info\] hello 42)");
  EXPECT_TRUE(std::regex_match(lines[0], pattern)) << lines[0];
  EXPECT_NE(lines[1].find("] [file_test] [warning] second line"), std::string::npos) << lines[1];
  // The same lines reach stderr.
  EXPECT_NE(stderr_text.find("[file_test] [info] hello 42\n"), std::string::npos) << stderr_text;
}

TEST(Logger, SameNameTwiceAppends) {
  testing::TempDir dir;
  const fs::path file = dir / "shared.log";
  testing::StderrCapture capture;
  {
    auto first = make_logger("twice", file);
    auto second = make_logger("twice", file);
    first->info("from the first");
    second->info("from the second");
  }
  capture.finish();
  const std::string text = read_text(file);
  EXPECT_EQ(count_occurrences(text, "[twice] [info] from the first"), 1) << text;
  EXPECT_EQ(count_occurrences(text, "[twice] [info] from the second"), 1) << text;
}

TEST(Logger, UnwritableFileNamed) {
  testing::TempDir dir;
  testing::write_file(dir / "plain_file", "x");
  const fs::path file = dir / "plain_file" / "run.log";  // a file used as a folder
  try {
    make_logger("unwritable", file);
    FAIL() << "no Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
}

TEST(Logger, VerbositySetsLevels) {
  VerbosityGuard guard;
  testing::TempDir dir;
  auto log = make_logger("levels", dir / "levels.log");
  testing::StderrCapture capture;

  set_verbosity(0);
  EXPECT_EQ(log_level(), spdlog::level::info);
  log->debug("hidden at verbosity 0");
  set_verbosity(1);
  EXPECT_EQ(log_level(), spdlog::level::debug);
  EXPECT_EQ(log->level(), spdlog::level::debug);  // a logger made earlier follows
  log->debug("shown at verbosity 1");
  set_verbosity(2);
  EXPECT_EQ(log_level(), spdlog::level::trace);
  set_verbosity(-1);
  EXPECT_EQ(log_level(), spdlog::level::warn);
  log->info("kept in the file at verbosity -1");
  log->flush();
  const std::string terminal = capture.finish();

  // -q quiets the terminal only: the file keeps info lines.
  const std::string text = read_text(dir / "levels.log");
  EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
  EXPECT_NE(text.find("[levels] [debug] shown at verbosity 1"), std::string::npos) << text;
  EXPECT_NE(text.find("kept in the file at verbosity -1"), std::string::npos) << text;
  EXPECT_EQ(terminal.find("kept in the file"), std::string::npos) << terminal;

  // A logger made now still records info lines for its file.
  EXPECT_EQ(make_logger("late")->level(), spdlog::level::info);
}

TEST(Logger, HostLogNamedAlphas) { EXPECT_EQ(host_log().name(), "alphas"); }

// ---------------------------------------------------------------------------
// Progress without a terminal: plain log lines

TEST(Progress, PlainLinesEveryUpdateWithZeroInterval) {
  auto log = make_logger("progress");
  testing::StderrCapture capture;
  {
    Progress progress(*log, "epochs", 4, std::chrono::seconds(0));
    progress.update(1);
    progress.update(2);
    progress.update(4);
    progress.finish();
  }
  const std::string text = capture.finish();
  const std::vector<std::string> lines = split_lines(text);
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_NE(lines[0].find("[progress] [info] epochs: 1/4 (25.0%), "), std::string::npos);
  EXPECT_NE(lines[1].find("epochs: 2/4 (50.0%), "), std::string::npos);
  EXPECT_NE(lines[2].find("epochs: 4/4 (100.0%), "), std::string::npos);
  EXPECT_NE(lines[0].find("/s, elapsed "), std::string::npos);
  EXPECT_NE(lines[0].find(", ETA "), std::string::npos);
  EXPECT_NE(lines[3].find("epochs: done, 4/4 in "), std::string::npos) << lines[3];
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(Progress, IntervalLimitsLines) {
  auto log = make_logger("progress");
  testing::StderrCapture capture;
  {
    Progress progress(*log, "steps", 1000, std::chrono::seconds(3600));
    for (int i = 1; i <= 1000; ++i) progress.update(i);
    progress.finish();
    progress.finish();  // a second call prints nothing
  }
  const std::string text = capture.finish();
  const std::vector<std::string> lines = split_lines(text);
  ASSERT_EQ(lines.size(), 1u) << text;
  EXPECT_NE(lines[0].find("steps: done, 1000/1000 in "), std::string::npos) << lines[0];
}

TEST(Progress, UnknownTotal) {
  auto log = make_logger("progress");
  testing::StderrCapture capture;
  {
    Progress progress(*log, "batches", 0, std::chrono::seconds(0));
    progress.update(5);
    progress.finish();
  }
  const std::vector<std::string> lines = split_lines(capture.finish());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("batches: 5, "), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("ETA"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("batches: done, 5 in "), std::string::npos) << lines[1];
}

TEST(Progress, ConcurrentUpdatesKeepMaximum) {
  auto log = make_logger("progress");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  testing::StderrCapture capture;
  {
    Progress progress(*log, "pairs", kThreads * kPerThread, std::chrono::seconds(3600));
    std::atomic<int64_t> done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kPerThread; ++i) progress.update(++done);
      });
    }
    for (auto& thread : threads) thread.join();
    progress.update(3);  // a late, smaller count does not lower the total
    progress.finish();
  }
  const std::string text = capture.finish();
  EXPECT_NE(text.find("pairs: done, 20000/20000 in "), std::string::npos) << text;
}

TEST(Progress, SilentBelowInfoLevel) {
  auto log = make_logger("quiet_progress");
  log->set_level(spdlog::level::warn);
  testing::StderrCapture capture;
  {
    Progress progress(*log, "quiet", 3, std::chrono::seconds(0));
    progress.update(1);
    progress.finish();
  }
  EXPECT_EQ(capture.finish(), "");
}

// ---------------------------------------------------------------------------
// Progress on a terminal: a bar redrawn in place

// Points stderr at the slave side of a pseudo-terminal while it lives.
class TerminalStderr {
 public:
  TerminalStderr() {
    std::fflush(stderr);
    if (openpty(&master_, &slave_, nullptr, nullptr, nullptr) != 0) {
      throw std::runtime_error("openpty failed");
    }
    fcntl(master_, F_SETFL, O_NONBLOCK);
    saved_ = dup(2);
    dup2(slave_, 2);
  }
  ~TerminalStderr() {
    restore();
    close(master_);
  }

  // Restores stderr and returns what reached the terminal.
  std::string finish() {
    restore();
    std::string text;
    char buffer[4096];
    ssize_t count = 0;
    while ((count = read(master_, buffer, sizeof buffer)) > 0) text.append(buffer, count);
    return text;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    close(slave_);
    saved_ = -1;
  }

  int master_ = -1;
  int slave_ = -1;
  int saved_ = -1;
};

TEST(Progress, TerminalRedrawsBar) {
  auto log = make_logger("bar");
  TerminalStderr terminal;
  {
    Progress progress(*log, "train", 10, std::chrono::seconds(3600));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past the redraw interval
    progress.update(5);
    log->info("a log line while the bar is shown");
    progress.finish();
  }
  const std::string text = terminal.finish();
  EXPECT_NE(text.find("\r\033[K"), std::string::npos) << text;
  EXPECT_NE(text.find("train   0% ["), std::string::npos) << text;
  EXPECT_NE(text.find("train  50% [############............] 5/10 "), std::string::npos) << text;
  // The log line is printed on a cleared line, then the bar is drawn again.
  EXPECT_NE(text.find("\r\033[K["), std::string::npos) << text;
  EXPECT_NE(text.find("a log line while the bar is shown"), std::string::npos) << text;
  EXPECT_NE(text.find("[bar] [info] train: done, 5/10 in "), std::string::npos) << text;
  // In terminal mode no plain progress line is logged.
  EXPECT_EQ(text.find("train: 5/10"), std::string::npos) << text;
}

}  // namespace
}  // namespace alphas
