#include "alphas/atomic_file.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "alphas/error.hpp"

namespace alphas {

namespace {

std::filesystem::path temporary_name(const std::filesystem::path& target) {
  static std::atomic<int> counter{0};
  return target.parent_path() / (target.filename().string() + ".tmp." + std::to_string(getpid()) +
                                 "." + std::to_string(counter++));
}

}  // namespace

void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& tmp)>& write) {
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::filesystem::path tmp = temporary_name(target);
  try {
    write(tmp);
    std::filesystem::rename(tmp, target);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(tmp, ignored);
    throw;
  }
}

void replace_folder(const std::filesystem::path& staged, const std::filesystem::path& target) {
  const auto trash = target.parent_path() / ".trash" /
                     (target.filename().string() + "." + std::to_string(getpid()));
  std::error_code ignored;
  if (std::filesystem::exists(target)) {
    std::filesystem::create_directories(trash.parent_path());
    std::filesystem::remove_all(trash, ignored);
    std::filesystem::rename(target, trash);
  }
  std::filesystem::rename(staged, target);
  std::filesystem::remove_all(trash, ignored);
}

void write_text_atomically(const std::filesystem::path& target, const std::string& text) {
  write_atomically(target, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw Error("cannot write " + tmp.string() + ": disk full or not writable");
  });
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError("cannot read " + file.string() + ": file not found or not readable");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace alphas
