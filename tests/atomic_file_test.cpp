#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "alphas/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

using testing::TempDir;

int count_entries(const std::filesystem::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicWrite, CompleteWriteAppearsAtTarget) {
  TempDir tmp;
  write_text_atomically(tmp / "out.txt", "hello\n");
  EXPECT_EQ(read_text(tmp / "out.txt"), "hello\n");
  EXPECT_EQ(count_entries(tmp.path()), 1);  // no temporary file left behind
}

TEST(AtomicWrite, ExceptionLeavesNoOutput) {
  TempDir tmp;
  EXPECT_THROW(write_atomically(tmp / "out.txt",
                                [](const std::filesystem::path& partial) {
                                  std::ofstream(partial) << "half of the";
                                  throw std::runtime_error("interrupted");
                                }),
               std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(tmp / "out.txt"));
  EXPECT_EQ(count_entries(tmp.path()), 0);
}

TEST(AtomicWrite, ExceptionKeepsPreviousVersion) {
  TempDir tmp;
  write_text_atomically(tmp / "out.txt", "version 1\n");
  EXPECT_THROW(write_atomically(tmp / "out.txt",
                                [](const std::filesystem::path& partial) {
                                  std::ofstream(partial) << "version 2, cut short";
                                  throw std::runtime_error("interrupted");
                                }),
               std::runtime_error);
  EXPECT_EQ(read_text(tmp / "out.txt"), "version 1\n");
}

// Reference digests from the SHA-256 specification's examples.
TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, FileMatchesString) {
  TempDir tmp;
  std::string text(100000, 'x');
  testing::write_file(tmp / "big.txt", text);
  EXPECT_EQ(sha256_file(tmp / "big.txt"), sha256_hex(text));
}

}  // namespace
}  // namespace alphas

#include <chrono>
#include <thread>

#include "alphas/hdf5_io.hpp"

namespace alphas {
namespace {

TEST(Hdf5File, SameArraysGiveIdenticalBytes) {
  testing::TempDir tmp;
  for (const char* name : {"a.h5", "b.h5"}) {
    H5File h5(tmp / name, H5File::Mode::create);
    h5.write("group/values", std::vector<float>{1, 2, 3});
    h5.write("group/ids", std::vector<std::string>{"x", "y"});
    // Modification times have one-second resolution: make them differ.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  EXPECT_EQ(sha256_file(tmp / "a.h5"), sha256_file(tmp / "b.h5"));
}

}  // namespace
}  // namespace alphas
