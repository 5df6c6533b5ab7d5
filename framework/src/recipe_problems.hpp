// Collects recipe problems so one InputError can report all of them.
#pragma once

#include <string>
#include <vector>

namespace alphas::recipe_detail {

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  // Records "<file>:<line>: <message>", or "<file>: <message>" for line 0.
  void add(int line, const std::string& message);
  // Records a message that names the file already.
  void add_message(const std::string& message) { messages_.push_back(message); }
  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }

  // Throws InputError with every problem, one per line, if there is any.
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<std::string> messages_;
};

// Returns the candidate closest to `name` by edit distance when it is close
// enough to be a likely typo, else an empty string.
std::string nearest_spelling(const std::string& name, const std::vector<std::string>& candidates);

// Returns "; did you mean 'X'?" for a close candidate, else "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

// Returns the names joined by ", ".
std::string join(const std::vector<std::string>& names, const std::string& separator = ", ");

}  // namespace alphas::recipe_detail
