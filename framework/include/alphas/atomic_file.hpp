// Writes that either complete or leave nothing behind.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace alphas {

// Calls write(tmp) with a temporary path next to `target`, then renames tmp
// onto target. rename(2) within one directory is atomic, so a reader sees the
// old file or the complete new one, never a partial write. If `write` throws,
// the temporary file is removed and the exception propagates; `target` is
// untouched. The temporary name is "<target>.tmp.<pid>.<n>".
void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& tmp)>& write);

// Replaces the folder `target` by the complete folder `staged`. The old
// folder is moved aside first, so `target` is at every moment absent, the
// old complete folder or the new complete folder.
void replace_folder(const std::filesystem::path& staged, const std::filesystem::path& target);

// Writes `text` to `target` atomically.
void write_text_atomically(const std::filesystem::path& target, const std::string& text);

// Reads a whole file; throws InputError naming the path if it cannot be read.
std::string read_text(const std::filesystem::path& file);

// Returns the lowercase hex SHA-256 of a file's bytes or of a string.
std::string sha256_file(const std::filesystem::path& file);
std::string sha256_hex(const std::string& bytes);

}  // namespace alphas
