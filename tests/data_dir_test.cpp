// Tests of DataDir::resolve: where the data directory comes from, and the
// values it rejects.
#include "alphas/data_dir.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "alphas/error.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

// Sets (or with nullopt unsets) an environment variable for one scope and
// restores its old value after.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) saved_ = old;
    if (value) {
      setenv(name_.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (saved_) {
      setenv(name_.c_str(), saved_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

// Returns the InputError message of DataDir::resolve(explicit_root); fails
// the test when none is thrown.
std::string resolve_error(const std::optional<std::string>& explicit_root) {
  try {
    const DataDir dir = DataDir::resolve(explicit_root);
    ADD_FAILURE() << "no InputError; resolved to " << dir.root();
  } catch (const InputError& error) {
    return error.what();
  }
  return {};
}

TEST(DataDirResolve, PrecedenceOfSources) {
  testing::TempDir tmp;
  ScopedEnv home("HOME", (tmp / "home").string());
  ScopedEnv xdg("XDG_DATA_HOME", (tmp / "xdg").string());
  ScopedEnv env("ALPHAS_DATA_DIR", (tmp / "env").string());
  EXPECT_EQ(DataDir::resolve((tmp / "flag").string()).root(), tmp / "flag");
  EXPECT_EQ(DataDir::resolve(std::nullopt).root(), tmp / "env");
  {
    ScopedEnv no_env("ALPHAS_DATA_DIR", std::nullopt);
    EXPECT_EQ(DataDir::resolve(std::nullopt).root(), tmp / "xdg" / "alphas");
    ScopedEnv empty_xdg("XDG_DATA_HOME", "");
    EXPECT_EQ(DataDir::resolve(std::nullopt).root(), tmp / "home" / ".local" / "share" / "alphas");
  }
}

TEST(DataDirResolve, EmptyOptionRejected) {
  testing::TempDir tmp;
  ScopedEnv env("ALPHAS_DATA_DIR", (tmp / "env").string());
  const std::string message = resolve_error(std::string());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "--data-dir is empty", message);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "pass a directory path, or leave out --data-dir",
                      message);
}

TEST(DataDirResolve, EmptyEnvironmentRejected) {
  ScopedEnv env("ALPHAS_DATA_DIR", "");
  const std::string message = resolve_error(std::nullopt);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "ALPHAS_DATA_DIR is set but empty", message);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "unset it", message);
  // An explicit --data-dir still wins over the empty variable.
  testing::TempDir tmp;
  EXPECT_EQ(DataDir::resolve(tmp.path().string()).root(), tmp.path());
}

TEST(DataDirResolve, PlainFileRejected) {
  testing::TempDir tmp;
  const fs::path file = tmp / "ratings.csv";
  testing::write_file(file, "user,item,rating\n");
  EXPECT_EQ(resolve_error(file.string()), "data directory " + file.string() +
                                              " (from --data-dir) is not a directory: it is an "
                                              "existing file; pass a directory path, or move "
                                              "the file away");

  ScopedEnv env("ALPHAS_DATA_DIR", file.string());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "(from ALPHAS_DATA_DIR) is not a directory",
                      resolve_error(std::nullopt));
}

TEST(DataDirResolve, MissingOrLinkedDirectoryAccepted) {
  testing::TempDir tmp;
  // Not created yet: commands that write create it.
  EXPECT_EQ(DataDir::resolve((tmp / "new").string()).root(), tmp / "new");
  fs::create_directory(tmp / "real");
  fs::create_directory_symlink(tmp / "real", tmp / "link");
  EXPECT_EQ(DataDir::resolve((tmp / "link").string()).root(), tmp / "link");
}

// Runs `alphas <arguments>` and returns its exit status and stderr.
std::pair<int, std::string> run_alphas(const std::string& arguments) {
  testing::TempDir tmp;
  const std::string command = std::string("'") + ALPHAS_BINARY + "' " + arguments + " 2>'" +
                              (tmp / "err").string() + "' >/dev/null";
  const int raw = std::system(command.c_str());
  const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::string err;
  if (FILE* in = std::fopen((tmp / "err").c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, in)) err.append(buffer, n);
    std::fclose(in);
  }
  return {status, err};
}

TEST(DataDirResolve, CommandRejectsEmptyOption) {
  const auto [status, err] = run_alphas("--data-dir '' list");
  EXPECT_EQ(status, 1);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "alphas: error: --data-dir is empty", err);
}

TEST(DataDirResolve, CommandRejectsPlainFile) {
  testing::TempDir tmp;
  testing::write_file(tmp / "file", "x\n");
  const auto [status, err] = run_alphas("--data-dir '" + (tmp / "file").string() + "' list");
  EXPECT_EQ(status, 1);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "(from --data-dir) is not a directory", err);
}

}  // namespace
}  // namespace alphas
