#include "alphas/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "alphas/error.hpp"
#include "alphas/log.hpp"

namespace alphas {

namespace {

std::string now_text() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string busy_message(const DataDir& dir) {
  std::string holder = DataDirLock::holder(dir);
  if (holder.empty()) holder = "another alphas process";
  return "data directory " + dir.root().string() + " is in use by " + holder;
}

}  // namespace

std::string DataDirLock::holder(const DataDir& dir) {
  std::ifstream in(dir.lock_file());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

DataDirLock::DataDirLock(const DataDir& dir, const std::string& command, Mode mode) {
  std::error_code error;
  std::filesystem::create_directories(dir.root(), error);
  if (error) {
    throw Error("cannot create data directory " + dir.root().string() + ": " + error.message());
  }
  fd_ = ::open(dir.lock_file().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("cannot open lock file " + dir.lock_file().string() + ": " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int code = errno;
    if (code != EWOULDBLOCK || mode == Mode::fail_if_held) {
      ::close(fd_);
      fd_ = -1;
      if (code != EWOULDBLOCK) {
        throw Error("cannot lock " + dir.lock_file().string() + ": " + std::strerror(code));
      }
      throw Error(busy_message(dir) + "; wait for it to finish, or rerun with --wait to queue "
                  "behind it");
    }
    host_log().info("{}; waiting for it to finish", busy_message(dir));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int failure = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error("cannot lock " + dir.lock_file().string() + ": " + std::strerror(failure));
      }
    }
  }

  // The lock belongs to the open file, not to its contents, so the holder
  // text is rewritten in place (a rename would put a new, unlocked file there).
  std::ostringstream text;
  text << "pid " << ::getpid() << " (" << command << "), started " << now_text() << "\n";
  const std::string line = text.str();
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, line.data(), line.size(), 0) < 0) {
    host_log().warn("cannot record the lock holder in {}: {}", dir.lock_file().string(),
                    std::strerror(errno));
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ < 0) return;
  // Clear the holder text first, so a stale description is never shown.
  if (::ftruncate(fd_, 0) != 0) {
    // Nothing to do: the next holder overwrites it.
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace alphas
