// Counted nouns for messages: "1 item", "3 items".
#pragma once

#include <string>
#include <string_view>

namespace alphas {

// Returns `count` followed by `singular` when count is 1, else by `plural`,
// which defaults to `singular` + "s" ("entry" needs "entries").
inline std::string format_count(long long count, std::string_view singular,
                                std::string_view plural = {}) {
  std::string text = std::to_string(count) + " ";
  if (count == 1) return text.append(singular);
  if (plural.empty()) return text.append(singular).append("s");
  return text.append(plural);
}

}  // namespace alphas
