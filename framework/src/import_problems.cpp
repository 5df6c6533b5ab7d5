// Reporting of rejected rows.
#include <algorithm>
#include <charconv>

#include "alphas/log.hpp"
#include "import_internal.hpp"

namespace alphas {

std::string RowProblem::to_string() const {
  std::string text = file + ":" + std::to_string(line) + ": " + reason;
  if (!raw.empty()) text += " (" + raw + ")";
  return text;
}

namespace import_detail {

void ProblemLog::add(RowProblem problem) {
  ++total_;
  if (std::find(files_.begin(), files_.end(), problem.file) == files_.end()) {
    files_.push_back(problem.file);
  }
  if (listed_.size() < kProblemsListed) listed_.push_back(std::move(problem));
}

std::string ProblemLog::format_list() const {
  std::string text;
  for (const RowProblem& problem : listed_) text += "\n  " + problem.to_string();
  const int64_t rest = total_ - static_cast<int64_t>(listed_.size());
  if (rest > 0) text += "\n  ... and " + std::to_string(rest) + " more";
  return text;
}

std::string format_number(double value) {
  char buffer[64];
  std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

spdlog::logger& import_log() { return host_log(); }

}  // namespace import_detail

}  // namespace alphas
