#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "support/temp_dir.hpp"

namespace alphas {
namespace {

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr together
};

Result run_alphas(const std::string& arguments) {
  const std::string command = std::string(ALPHAS_BINARY) + " " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
  const int raw = pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

TEST(Cli, UnknownGlobalOptionIsRejected) {
  testing::TempDir tmp;
  const Result r = run_alphas("--data-dir " + tmp.path().string() + " --bogus list");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("unknown global option '--bogus'"), std::string::npos) << r.output;
}

TEST(Cli, CommandOptionBeforeCommandIsRejected) {
  testing::TempDir tmp;
  const Result r = run_alphas("--data-dir " + tmp.path().string() + " --recipe x.yaml list");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("options of a command go after its name"), std::string::npos)
      << r.output;
}

TEST(Cli, ThreadsOutOfRangeIsRejected) {
  const Result r = run_alphas("--threads 100000 list");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--threads must be from 1 to 1024 (got 100000)"), std::string::npos)
      << r.output;
}

TEST(Cli, VerboseIsASwitch) {
  const Result r = run_alphas("-v --help");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Commands"), std::string::npos) << r.output;
}

TEST(Cli, UnknownCommandNamesIt) {
  const Result r = run_alphas("frobnicate");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("unknown command 'frobnicate'"), std::string::npos) << r.output;
}

TEST(Cli, CheckHelpListsWhatItChecks) {
  const Result r = run_alphas("check --help");
  EXPECT_EQ(r.status, 0) << r.output;
  for (const char* checked : {"recipe keys and the types", "references:", "dependency cycles",
                              "every alpha's parameters, through its plugin's configure phase",
                              "parameters the family does not"}) {
    EXPECT_NE(r.output.find(checked), std::string::npos) << checked << " missing in:\n" << r.output;
  }
  EXPECT_EQ(r.output.find("keys and types"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace alphas
